"""Drives a Lantoa server with the real `ckanapi` client (pip) and prints what it saw as JSON.

    client.py BASE_URL [API_TOKEN CSV_FILE]
"""
import json
import sys

import ckanapi

ck = ckanapi.RemoteCKAN(sys.argv[1], user_agent="ckanapi-lantoa-test")
out = {}
out["status"] = ck.action.status_show()["ckan_version"]
out["list"] = ck.action.package_list()
out["list_page"] = ck.action.package_list(limit=1, offset=1)
show = ck.action.package_show(id="diem-wifi-cong-cong")
out["show_title"] = show["title"]
out["show_org"] = show["organization"]["name"]
out["show_resources"] = [r["format"] for r in show["resources"]]
found = ck.action.package_search(q="wifi", rows=10, **{"facet.field": '["organization"]'})
out["search_count"] = found["count"]
out["search_names"] = [p["name"] for p in found["results"]]
out["search_facets"] = found["search_facets"]["organization"]["items"]
out["paged"] = [
    ck.action.package_search(rows=1, start=i, sort="name asc")["results"][0]["name"] for i in range(3)
]
out["fq"] = ck.action.package_search(fq="organization:syt-hn")["count"]
ds = ck.action.datastore_search(
    resource_id="diem-wifi-cong-cong-csv", filters={"phuong_xa": "Phường Hoàn Kiếm"}, limit=2
)
out["ds_total"] = ds["total"]
out["ds_records"] = len(ds["records"])
out["ds_fields"] = [f["id"] for f in ds["fields"]]
out["ds_first_page"] = len(ck.action.datastore_search(resource_id="ca-sot-xuat-huyet-theo-tuan-csv")["records"])
try:
    ck.action.package_show(id="khong-co")
    out["not_found"] = False
except ckanapi.NotFound:
    out["not_found"] = True
try:
    ck.action.datastore_search(resource_id="diem-wifi-cong-cong-csv", filters={"khong_co": "x"})
    out["validation"] = False
except ckanapi.ValidationError:
    out["validation"] = True
out["orgs"] = ck.action.organization_list()

# Writing needs a token: without one, an Authorization Error.
try:
    ck.action.package_create(name="x")
    out["anonymous_write"] = "accepted"
except ckanapi.NotAuthorized:
    out["anonymous_write"] = "refused"
if len(sys.argv) > 2:
    w = ckanapi.RemoteCKAN(sys.argv[1], apikey=sys.argv[2], user_agent="ckanapi-lantoa-test")
    schema = {"fields": [{"name": "ma"}, {"name": "so", "type": "integer"}], "primaryKey": "ma"}
    created = w.action.package_create(
        name="so-lieu-ckanapi", title="Số liệu gửi qua ckanapi", owner_org="skhcn-hn",
        notes="", extras=[{"key": "schema", "value": json.dumps(schema)}, {"key": "cadence", "value": "monthly"}],
    )
    out["created"] = created["name"]
    try:
        w.action.package_create(name="so-lieu-ckanapi", title="x", owner_org="skhcn-hn",
                                extras=[{"key": "schema", "value": json.dumps(schema)}])
        out["duplicate"] = "accepted"
    except ckanapi.ValidationError:
        out["duplicate"] = "refused"
    patched = w.action.package_patch(id="so-lieu-ckanapi", title="Số liệu đã sửa tên")
    out["patched"] = patched["title"]
    with open(sys.argv[3], "rb") as f:
        res = w.action.resource_create(package_id="so-lieu-ckanapi", upload=f)
    out["resource_format"] = res["format"]
    out["upload_id"] = res["upload_id"]
print(json.dumps(out, ensure_ascii=False))
