"""Static files in production (config/storage.py): each URL looked up once per process."""

import json

from config.storage import StaticFilesStorage


def test_each_url_is_looked_up_once(tmp_path, monkeypatch):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/site.css": "css/site.0123abcd.css"}, "version": "1.1", "hash": "x"})
    )
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    lookups = []
    original = StaticFilesStorage.stored_name
    monkeypatch.setattr(
        StaticFilesStorage, "stored_name", lambda self, name: lookups.append(name) or original(self, name)
    )
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert lookups == ["css/site.css"]
