"""Search's declaration: search pages and API, synonym messages, its tables, the dictionary loaded at start."""

from __future__ import annotations

from hotpot.domains import Domain

DOMAIN = Domain(
    name="search",
    routers=("hotpot.search.routes:router",),
    api_routers=("hotpot.search.api:router",),
    flash={
        "synonyms_saved": ("success", "同义词组已保存，搜索立即按新的词组理解查询"),
        "synonyms_deleted": ("success", "同义词组已删除"),
        "noise_saved": ("success", "无意义词已添加，搜索从下一次查询起忽略它"),
        "noise_deleted": ("success", "无意义词已删除"),
    },
    models=("hotpot.search.models",),
    # The word dictionary takes about a second: load it now rather than in the first visitor's search.
    on_startup=("hotpot.search.text:vocabulary.ensure_loaded",),
    # Every session of the app, the CLI and the worker keeps the search index in step with its writes.
    session_listeners=("hotpot.search.indexer:install",),
    # The API finds a kept answer with one read of the index's state on the event loop (hotpot.search.versions).
    app_resources={"state_reader": "hotpot.search.versions:StateReader.of"},
)
