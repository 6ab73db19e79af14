"""The JSON API's shared endpoints: health, OpenAPI and its documentation page."""
