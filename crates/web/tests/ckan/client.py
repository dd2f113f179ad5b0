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
# Solr's syntax: fielded and boolean q, fq with + and AND, tags; facet.limit.
out["q_fielded"] = [p["name"] for p in ck.action.package_search(q="title:wi-fi")["results"]]
out["q_or"] = sorted(p["name"] for p in ck.action.package_search(q="wifi OR title:\"sốt xuất huyết\"", rows=10)["results"])
out["q_not"] = ck.action.package_search(q="*:* -tags:wifi")["count"]
out["fq_plus"] = ck.action.package_search(fq="+organization:syt-hn +res_format:CSV")["count"]
out["fq_and"] = ck.action.package_search(fq='organization:syt-hn AND tags:"dịch tễ"')["count"]
out["fq_group"] = [p["name"] for p in ck.action.package_search(fq="groups:ha-tang-so")["results"]]
limited = ck.action.package_search(**{"facet.field": '["organization", "tags"]', "facet.limit": 1})
out["facet_limited"] = [len(limited["search_facets"][f]["items"]) for f in ("organization", "tags")]
out["groups"] = ck.action.group_list()
out["groups_all"] = {g["name"]: g["package_count"] for g in ck.action.group_list(all_fields=True)}
out["group_show"] = ck.action.group_show(id="y-te")["title"]
out["tags"] = ck.action.tag_list()
out["tags_query"] = ck.action.tag_list(query="sot")
try:
    ck.action.package_search(q="title:(wifi")
    out["bad_query"] = "accepted"
except ckanapi.SearchQueryError:
    out["bad_query"] = "refused"
try:
    ck.call_action("package_delete_everything")
    out["unknown_action"] = "accepted"
except ckanapi.CKANAPIError as e:
    out["unknown_action"] = type(e).__name__
ds = ck.action.datastore_search(
    resource_id="diem-wifi-cong-cong-csv", filters={"phuong_xa": "Phường Hoàn Kiếm"}, limit=2
)
out["ds_total"] = ds["total"]
out["ds_records"] = len(ds["records"])
out["ds_fields"] = [f["id"] for f in ds["fields"]]
out["ds_first_page"] = len(ck.action.datastore_search(resource_id="ca-sot-xuat-huyet-theo-tuan-csv")["records"])
out["ds_q_object"] = ck.action.datastore_search(
    resource_id="diem-wifi-cong-cong-csv", q={"phuong_xa": "hoan kiem"}, limit=0
)["total"]
first = ck.action.datastore_search(resource_id="diem-wifi-cong-cong-csv", limit=3)["records"]
out["ds_by_id"] = ck.action.datastore_search(
    resource_id="diem-wifi-cong-cong-csv", filters={"_id": first[2]["_id"]}
)["records"][0]["ma_diem"] == first[2]["ma_diem"]
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
    except ckanapi.ValidationError as e:
        out["duplicate"] = "refused"
        # CKAN's shape: messages listed per field.
        out["duplicate_fields"] = {k: v for k, v in e.error_dict.items() if k != "__type"}
    group = w.action.group_create(name="so-lieu-thu", title="Số liệu thử")
    out["group_created"] = group["name"]
    tagged = w.action.package_patch(
        id="so-lieu-ckanapi", tags=[{"name": "thử nghiệm"}], groups=[{"name": "so-lieu-thu"}]
    )
    out["tagged"] = [[t["name"] for t in tagged["tags"]], [g["name"] for g in tagged["groups"]]]
    try:
        w.action.package_patch(id="so-lieu-ckanapi", tags=[{"name": "x"}])
        out["bad_tag"] = "accepted"
    except ckanapi.ValidationError as e:
        out["bad_tag"] = sorted(k for k in e.error_dict if k != "__type")
    patched = w.action.package_patch(id="so-lieu-ckanapi", title="Số liệu đã sửa tên")
    out["patched"] = patched["title"]
    with open(sys.argv[3], "rb") as f:
        res = w.action.resource_create(package_id="so-lieu-ckanapi", upload=f)
    out["resource_format"] = res["format"]
    out["upload_id"] = res["upload_id"]
print(json.dumps(out, ensure_ascii=False))
