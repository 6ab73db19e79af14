"""合川火锅食材数字化平台: the digital platform of Hechuan's hotpot-ingredient industry cluster."""

__version__ = "0.1.0"
