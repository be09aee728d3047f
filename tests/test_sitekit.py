"""The site tests' own machinery that needs no browser: splitting the pages among processes."""

from __future__ import annotations

import pytest
from sitekit import shard

PAGES = [f"chapters/{i:02d}.html" for i in range(95)]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_shards_split_the_pages_into_contiguous_blocks_of_equal_size(n: int) -> None:
    blocks = [shard(PAGES, f"{k}/{n}") for k in range(1, n + 1)]
    assert sum(blocks, []) == PAGES  # every page once, in order
    assert max(map(len, blocks)) - min(map(len, blocks)) <= 1


def test_no_shard_means_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_SHARD", raising=False)
    assert shard(PAGES) == PAGES
    monkeypatch.setenv("SITE_SHARD", "2/2")
    assert shard(PAGES) == PAGES[47:]


@pytest.mark.parametrize("spec", ["0/2", "3/2", "1/0", "2", "a/b", "1/2/3"])
def test_a_malformed_shard_is_refused_by_name(spec: str) -> None:
    with pytest.raises(ValueError, match=r"SITE_SHARD must be k/n with 1 <= k <= n"):
        shard(PAGES, spec)
