#!/usr/bin/env python3
"""The peer of `cargo xtask bench watch`: trafilatura extraction plus a datasketch MinHash of
word 3-gram shingles (128 permutations, as Lantoa's sketch) over the same pages.

  watch_peer.py analyse DIR LIMIT   one JSON line: pages, seconds, pages_per_s, peak_rss_kb
  watch_peer.py extract DIR OUT     writes trafilatura's main text of every DIR/*.html to OUT/*.txt
"""
import json, os, re, resource, sys, time

import trafilatura
from datasketch import MinHash

WORD = re.compile(r"\w+", re.UNICODE)

def sketch(text):
    words = WORD.findall(text.lower())
    m = MinHash(num_perm=128)
    for i in range(len(words) - 2):
        m.update(" ".join(words[i:i + 3]).encode("utf-8"))
    return m

# The page both programs read before their clocks start (watch_bench.rs has the same).
WARM_UP = "<html><head><title>Warm-up</title></head><body><article><p>One paragraph of text, long enough to be read as an article, and a second sentence, with commas.</p></article><footer>Cơ quan chủ quản: Công ty A. Địa chỉ: 1 phố B. Điện thoại: 024 0000 0000. Giấy phép số 1/GP-TTĐT.</footer></body></html>"

def analyse(folder, limit):
    files = sorted(os.listdir(folder))[:limit]
    sketch(trafilatura.extract(WARM_UP) or "")
    started = time.perf_counter()
    n = 0
    for f in files:
        with open(os.path.join(folder, f), "rb") as fh:
            html = fh.read()
        text = trafilatura.extract(html) or ""
        sketch(text)
        n += 1
    secs = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"pages": n, "seconds": round(secs, 3), "pages_per_s": round(n / secs, 1), "peak_rss_kb": rss}))

def extract(folder, out):
    os.makedirs(out, exist_ok=True)
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".html"):
            continue
        # Bytes: trafilatura finds the page's own encoding, as a crawler must.
        with open(os.path.join(folder, f), "rb") as fh:
            text = trafilatura.extract(fh.read(), include_comments=False) or ""
        with open(os.path.join(out, f[:-5] + ".txt"), "w", encoding="utf-8") as fh:
            fh.write(text)

if __name__ == "__main__":
    if sys.argv[1] == "analyse":
        analyse(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "extract":
        extract(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
