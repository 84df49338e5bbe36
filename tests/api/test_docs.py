"""The API's documentation works on an offline network (政务网): `/docs` and `/redoc` load
their scripts and styles from the app itself, never from a CDN."""

import re

import httpx
import pytest

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_load_every_asset_from_the_app(api: httpx.AsyncClient, page: str) -> None:
    shown = await api.get(page)
    assert shown.status_code == 200, shown.text
    assets = ASSET.findall(shown.text)
    assert assets, "the page loads its scripts and styles"
    assert [a for a in assets if not a.startswith("/")] == []
    assert "googleapis" not in shown.text and "cdn." not in shown.text
    for asset in assets:
        loaded = await api.get(asset)
        assert loaded.status_code == 200, asset
        assert len(loaded.content) > 500, asset  # the real file, not a stub
    spec = await api.get("/openapi.json")
    assert spec.status_code == 200 and "/capability-tests" in spec.json()["paths"]
