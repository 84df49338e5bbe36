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


async def test_redocs_bundle_names_no_other_host_to_load_from(api: httpx.AsyncClient) -> None:
    page = await api.get("/redoc")
    (bundle,) = [a for a in ASSET.findall(page.text) if a.endswith(".js")]
    served = (await api.get(bundle)).text
    assert "cdn.redoc.ly" not in served and "/static/docs/favicon.png" in served


async def test_every_answer_tells_the_browser_to_load_only_from_the_app(
    api: httpx.AsyncClient,
) -> None:
    for path in ("/console/login", "/health", "/docs"):
        policy = (await api.get(path)).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy, path
    console = (await api.get("/console/login")).headers["content-security-policy"]
    assert "script-src 'self';" in console  # no inline script on the console's pages
