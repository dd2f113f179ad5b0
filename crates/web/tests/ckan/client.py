"""Drives a Lantoa server with the real `ckanapi` client (pip) and prints what it saw as JSON.

    client.py BASE_URL
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
print(json.dumps(out, ensure_ascii=False))
