"""Peers of `cargo xtask bench opendata`, on the same file and schema as Lantoa.

    opendata_peer.py frictionless FILE SCHEMA
        frictionless-py validates FILE against the Table Schema (every error, no limit) and
        writes the numbers of the invalid rows to FILE.frictionless-invalid.txt.
    opendata_peer.py polars FILE SCHEMA COMMUNES
        A Polars script doing the same checks as Lantoa, vectorised: patterns, required
        cells, day-first dates, the sex enum, the CCCD's birth year and sex against their
        columns, phone normalisation, e-mail shape, the tax-code check digit, the commune
        among the current units (COMMUNES, one name per line; no old-name mapping), Vietnamese
        numbers, unique CCCD and primary key. Clean rows go to FILE.polars-clean.csv and the
        others to FILE.polars-quarantine.csv.
    opendata_peer.py errors FILE SCHEMA
        frictionless's errors as JSON lines (rowNumber, fieldName, type), for comparison.

Each mode prints one JSON line: rows, invalid, seconds, rows_per_s, cpu_seconds,
rows_per_cpu_s, peak_rss_kb.
"""

import json
import resource
import sys
import time


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds():
    """User + system CPU seconds of this process, all threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def figures(rows, invalid, started, cpu_started):
    secs = time.time() - started
    cpu = cpu_seconds() - cpu_started
    return json.dumps({"rows": rows, "invalid": invalid, "seconds": round(secs, 3),
                       "rows_per_s": round(rows / secs), "cpu_seconds": round(cpu, 3),
                       "rows_per_cpu_s": round(rows / cpu), "peak_rss_kb": peak_rss_kb()})


def frictionless_run(path, schema_path, limit=None):
    import os

    from frictionless import Resource, Schema

    with open(schema_path) as f:
        schema = Schema.from_descriptor(json.load(f))
    # frictionless refuses absolute paths unless given a base path.
    resource_ = Resource(path=os.path.basename(path), basepath=os.path.dirname(os.path.abspath(path)),
                         schema=schema)
    report = resource_.validate(limit_errors=limit or 10**9)
    return report


def frictionless_mode(path, schema_path):
    started, cpu_started = time.time(), cpu_seconds()
    report = frictionless_run(path, schema_path)
    invalid = set()
    task = report.tasks[0]
    for e in task.errors:
        n = getattr(e, "row_number", None)
        if n is not None:
            invalid.add(n)
    rows = task.stats.get("rows", 0) if isinstance(task.stats, dict) else task.stats.rows
    with open(path + ".frictionless-invalid.txt", "w") as f:
        for n in sorted(invalid):
            f.write(f"{n}\n")
    print(figures(rows, len(invalid), started, cpu_started))


def errors_mode(path, schema_path):
    report = frictionless_run(path, schema_path)
    for e in report.tasks[0].errors:
        print(json.dumps({"row": getattr(e, "row_number", None),
                          "field": getattr(e, "field_name", None), "type": e.type}))


def polars_mode(path, schema_path, communes_path):
    import polars as pl

    started, cpu_started = time.time(), cpu_seconds()
    with open(communes_path) as f:
        communes = [line.strip() for line in f if line.strip()]
    df = pl.read_csv(path, infer_schema=False)
    s = pl.col
    phone = (s("dien_thoai").str.replace_all(r"[ .\-()]", "")
             .str.replace(r"^\+84", "0").str.replace(r"^84(\d{9})$", "0$1"))
    birth = s("ngay_sinh").str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    issued = s("ngay_cap").str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    amount = (s("so_tien").str.replace_all(r"\.", "").str.replace(",", ".")
              .cast(pl.Float64, strict=False))
    name = s("ho_ten").str.strip_chars().str.replace_all(r"\s+", " ").str.to_titlecase()
    gs = s("cccd").str.slice(3, 1).cast(pl.Int32, strict=False)
    cccd_year = 1900 + (gs // 2) * 100 + s("cccd").str.slice(4, 2).cast(pl.Int32, strict=False)
    cccd_female = (gs % 2) == 1
    weights = [31, 29, 23, 19, 17, 13, 7, 5, 3]
    tax_sum = sum(s("ma_so_thue").str.slice(i, 1).cast(pl.Int32, strict=False) * w
                  for i, w in enumerate(weights))
    tax_check = 10 - (tax_sum % 11)
    tax_ok = (s("ma_so_thue").str.contains(r"^\d{10}(-\d{3})?$")
              & (tax_check == s("ma_so_thue").str.slice(9, 1).cast(pl.Int32, strict=False)))
    checked = df.with_columns(
        name.alias("ho_ten"), phone.alias("dien_thoai"),
        birth.alias("_birth"), issued.alias("_issued"), amount.alias("_amount"),
    ).with_columns(
        (s("ma_ho_so").str.contains(r"^HS\d{8}$").fill_null(False)
         & s("ho_ten").is_not_null() & (s("ho_ten").str.len_chars() <= 100)
         & (s("ngay_sinh").is_null() | s("_birth").is_not_null())
         & (s("gioi_tinh").is_null() | s("gioi_tinh").is_in(["Nam", "Nữ"]))
         & (s("cccd").is_null() | (s("cccd").str.contains(r"^\d{12}$")
            & (cccd_year == s("_birth").dt.year())
            & (cccd_female == (s("gioi_tinh") == "Nữ"))))
         & (s("dien_thoai").is_null() | s("dien_thoai").str.contains(
             r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$"))
         & (s("email").is_null() | s("email").str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"))
         & (s("ma_so_thue").is_null() | tax_ok)
         & s("phuong_xa").is_in(communes)
         & (s("so_tien").is_null() | (s("_amount") >= 0))
         & (s("ngay_cap").is_null() | s("_issued").is_not_null())
         ).fill_null(False).alias("_ok"))
    checked = checked.with_columns(
        (s("_ok") & ~(s("_ok") & s("cccd").is_not_null()).and_(s("cccd").is_duplicated())
         & ~s("ma_ho_so").is_duplicated()).alias("_ok"))
    out = checked.with_columns(
        s("_birth").dt.strftime("%Y-%m-%d").alias("ngay_sinh"),
        s("_issued").dt.strftime("%Y-%m-%d").alias("ngay_cap"),
        s("_amount").cast(pl.Utf8).alias("so_tien"))
    clean = out.filter(s("_ok")).drop(["_ok", "_birth", "_issued", "_amount"])
    dirty = df.filter(~checked["_ok"])
    clean.write_csv(path + ".polars-clean.csv")
    dirty.write_csv(path + ".polars-quarantine.csv")
    print(figures(df.height, dirty.height, started, cpu_started))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "frictionless":
        frictionless_mode(sys.argv[2], sys.argv[3])
    elif mode == "polars":
        polars_mode(sys.argv[2], sys.argv[3], sys.argv[4])
    elif mode == "errors":
        errors_mode(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
