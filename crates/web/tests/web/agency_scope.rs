use super::*;

#[tokio::test]
async fn an_agency_uploader_sees_and_changes_only_its_agencys_datasets() {
    let app = TestApp::spawn().await;
    let od = app.load_open_data_demo().await;
    let health = app.agency("SYT-HN").await;
    let admin_user = app.user("quan", vec![Role::Admin]).await;
    let admin = app.browser(&admin_user).await;
    let u = app.user("thu", vec![Role::AgencyUploader]).await;
    // The administrator sets the uploader's agency on the user page.
    let page = app.get(&format!("/users/{}", u.id), Some(&admin)).await;
    assert!(page.body.contains("Sở Y tế Hà Nội"), "{}", page.body);
    let r = app
        .post_form(
            &format!("/users/{}/unit", u.id),
            Some(&admin),
            &[("unit_id", health.to_string().as_str())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let bad = app
        .post_form(
            &format!("/users/{}/unit", u.id),
            Some(&admin),
            &[("unit_id", "abc")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let me = app.browser(&u).await;
    let list = app.get("/opendata", Some(&me)).await;
    assert!(list.body.contains("Số ca sốt xuất huyết"), "{}", list.body);
    assert!(
        !list.body.contains("Điểm truy cập Wi-Fi"),
        "another agency's dataset is not listed"
    );
    assert_eq!(
        app.get("/opendata/diem-wifi-cong-cong", Some(&me))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/opendata/ca-sot-xuat-huyet-theo-tuan", Some(&me))
            .await
            .status,
        200
    );
    let wifi = od.dataset_by_name("diem-wifi-cong-cong").await.unwrap();
    let q = od.quarantine(wifi.id, "open", 1).await.unwrap();
    let r = app
        .post_form(
            &format!("/opendata/quarantine/{}/fix", q[0].id),
            Some(&me),
            &[("dataset", "diem-wifi-cong-cong"), ("cell_0", "WF-9")],
        )
        .await;
    assert_eq!(r.status, 403);
    // Naming its own dataset in the form does not make another agency's row its own.
    let r = app
        .post_form(
            &format!("/opendata/quarantine/{}/fix", q[0].id),
            Some(&me),
            &[
                ("dataset", "ca-sot-xuat-huyet-theo-tuan"),
                ("cell_0", "WF-9"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let still = od.quarantine(wifi.id, "open", 1).await.unwrap();
    assert_eq!(
        (still[0].id, &still[0].cells),
        (q[0].id, &q[0].cells),
        "the row is untouched"
    );
    // Through the CKAN API with the uploader's token, likewise.
    let token = app.token("thu", &[]).await;
    let r = app
        .send(resource_create(
            "diem-wifi-cong-cong",
            "ma_diem\r\nWF-1",
            Some(&token),
        ))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("Authorization Error"));
    let r = app
        .send(resource_create(
            "ca-sot-xuat-huyet-theo-tuan",
            "ma_diem\r\nWF-1",
            Some(&token),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}
