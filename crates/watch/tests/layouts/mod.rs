//! The labelled corpus of real-world layouts: pages built the way the CMSs Vietnamese sites
//! run on build them — a Vietnamese news CMS, WordPress, Blogger, a forum, a shop, an ASP.NET
//! portal, a page builder, and a short article under a long comment thread — each with the
//! text a reader would call the article written beside it.
//!
//! The markup follows each system's published default templates (WordPress's `post-N
//! tag-slug` classes and `#comments`, Blogger's `date-outer`/`widget Blog`/`post-body
//! entry-content`, XenForo's `message`/`bbWrapper`, Elementor's `elementor-widget-text-editor`,
//! ASP.NET's page-wide `<form>`); the words are the project's own fixture sentences. A third of
//! the pages carry 100–300 kB of scripts, styles and menus, as news sites do.
//!
//! Used by the quality test (`tests/quality.rs`) and by `cargo xtask bench watch`.

#![allow(dead_code)] // each user takes the part it needs

use std::path::Path;

/// xorshift: deterministic variety without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[self.below(v.len())]
    }
}

/// The layouts, by name.
pub const LAYOUTS: [&str; 8] = [
    "vn-news",
    "wordpress",
    "blogger",
    "forum",
    "shop",
    "aspnet-portal",
    "page-builder",
    "comment-thread",
];

/// One labelled page.
pub struct Page {
    pub layout: &'static str,
    pub html: String,
    /// The text a reader calls the article, one paragraph per line.
    pub expected: String,
}

/// The sentences the pages are written from: every line of the fixture pages' expected texts.
pub fn sentences(fixtures: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(fixtures)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "txt"));
    files.sort();
    let mut out = Vec::new();
    for f in files {
        for line in std::fs::read_to_string(&f).unwrap_or_default().lines() {
            let line = line.trim();
            if line.chars().count() >= 40
                && !line.starts_with('#')
                && !out.iter().any(|s: &String| s == line)
            {
                out.push(line.to_owned());
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Scripts, styles and a mega-menu: `kb` kilobytes of what a reader never reads.
fn weight(rng: &mut Rng, kb: usize) -> (String, String) {
    let mut head = String::from("<style>");
    while head.len() < kb * 1024 / 2 {
        let n = rng.below(9999);
        head.push_str(&format!(
            ".c{n}{{margin:0 auto;padding:{}px;color:#2{}3;display:flex}}.c{n}:hover{{opacity:.8}}",
            n % 17,
            n % 10
        ));
    }
    head.push_str("</style><script>window.__STATE__={\"items\":[");
    while head.len() < kb * 1024 * 3 / 4 {
        let n = rng.below(99999);
        head.push_str(&format!(
            "{{\"id\":{n},\"slug\":\"bai-viet-{n}\",\"tieu_de\":\"Tin số {n}\"}},"
        ));
    }
    head.push_str("{}]};</script>");
    let mut menu = String::from("<nav class=\"main-menu\"><ul>");
    let mut i = 0;
    while menu.len() < kb * 1024 / 4 {
        menu.push_str(&format!(
            "<li class=\"menu-item\"><a href=\"/chuyen-muc/{i}\">Chuyên mục {i}</a><ul class=\"sub-menu\"><li><a href=\"/chuyen-muc/{i}/a\">Mục con {i}</a></li></ul></li>"
        ));
        i += 1;
    }
    menu.push_str("</ul></nav>");
    (head, menu)
}

/// A teaser list (sidebars, related posts, latest news): titles as links, a line of excerpt.
fn teasers(rng: &mut Rng, s: &[String], n: usize, class: &str) -> String {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<li><a href=\"/tin/{}\">{}</a></li>",
                rng.below(99999) + i,
                esc(&s[rng.below(s.len())].chars().take(70).collect::<String>())
            )
        })
        .collect();
    format!("<div class=\"{class}\"><h3>Tin khác</h3><ul>{items}</ul></div>")
}

fn comments(rng: &mut Rng, s: &[String], n: usize, item: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "<li class=\"{item}\" id=\"comment-{i}\"><div class=\"comment-author\">Bạn đọc {i}</div><div class=\"comment-content\"><p>{} {}</p></div></li>",
                esc(rng.pick(s)),
                esc(rng.pick(s))
            )
        })
        .collect()
}

fn owner_footer() -> &'static str {
    "<footer class=\"site-footer\"><p>Cơ quan chủ quản: Công ty TNHH Truyền thông Phố Thử</p><p>Địa chỉ: 1 phố Thử, Hà Nội</p><p>Điện thoại: 024 3999 0000 - Email: lienhe@phothu.example</p><p>Chịu trách nhiệm nội dung: Trần Văn Thử</p><p>© Bản quyền thuộc về Phố Thử. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></footer>"
}

/// Builds page `k` of the corpus.
pub fn page(k: usize, s: &[String], rng: &mut Rng) -> Page {
    let layout = LAYOUTS[k % LAYOUTS.len()];
    let n = 2 + rng.below(if k.is_multiple_of(5) { 30 } else { 10 });
    let paras: Vec<String> = (0..n).map(|_| rng.pick(s).to_owned()).collect();
    let title: String = paras[0].chars().take(60).collect();
    let heavy = k.is_multiple_of(3);
    let (head_weight, menu) = if heavy {
        let kb = 100 + rng.below(200);
        weight(rng, kb)
    } else {
        weight(rng, 4)
    };
    let p_tags = |class: &str| -> String {
        paras
            .iter()
            .map(|p| {
                if class.is_empty() {
                    format!("<p>{}</p>", esc(p))
                } else {
                    format!("<p class=\"{class}\">{}</p>", esc(p))
                }
            })
            .collect()
    };
    let mut expected = paras.join("\n");
    let body = match layout {
        "vn-news" => {
            let sub = rng.pick(s).chars().take(50).collect::<String>();
            let mut body_paras = p_tags("Normal");
            // An inline related box inside the article body, as news CMSs insert.
            let split = body_paras.find("</p>").map_or(0, |i| i + 4);
            body_paras.insert_str(
                split,
                &format!(
                    "<div class=\"box-tin-lien-quan\">{}</div>",
                    teasers(rng, s, 3, "tin-lien-quan")
                ),
            );
            expected = format!("{}\n{}", expected, esc(&sub));
            format!(
                "<header class=\"header\"><div class=\"logo\"><img alt=\"Phố Thử\" src=\"/logo.png\"></div>{menu}</header><section class=\"section page-detail\"><div class=\"container\"><div class=\"sidebar-1\"><div class=\"breadcrumb\"><a href=\"/\">Trang chủ</a> › <a href=\"/xa-hoi\">Xã hội</a></div><h1 class=\"title-detail\">{}</h1><span class=\"date\">Thứ sáu, 20/11/2026, 08:15 (GMT+7)</span><article class=\"fck_detail\">{body_paras}<h2>{}</h2><p class=\"author_mail\"><strong>Minh Anh</strong></p></article><div class=\"social_share\"><a href=\"#\">Facebook</a><a href=\"#\">Zalo</a></div><div class=\"box-binh-luan\"><ul>{}</ul></div></div><div class=\"sidebar-2\">{}{}</div></div></section>{}",
                esc(&title),
                esc(&sub),
                comments(rng, s, 3, "comment_item"),
                teasers(rng, s, 10, "box-doc-nhieu"),
                teasers(rng, s, 8, "box-tin-moi"),
                owner_footer()
            )
        }
        "wordpress" => format!(
            "<div id=\"page\" class=\"site\"><header id=\"masthead\" class=\"site-header\">{menu}</header><div class=\"site-inner content-sidebar-wrap\"><main id=\"main\" class=\"site-main content\"><article id=\"post-{k}\" class=\"post-{k} post type-post status-publish format-standard has-post-thumbnail hentry category-tin-tuc tag-ha-noi tag-do-thi\"><header class=\"entry-header\"><h1 class=\"entry-title\">{}</h1><div class=\"entry-meta\"><span class=\"posted-on\"><time class=\"entry-date published\" datetime=\"2026-11-20T08:15:00+07:00\">20/11/2026</time></span><span class=\"byline\"> bởi <a href=\"/author/admin\">admin</a></span></div></header><div class=\"entry-content\">{}</div><footer class=\"entry-footer\"><span class=\"tags-links\">Thẻ: <a href=\"/tag/ha-noi\" rel=\"tag\">Hà Nội</a></span></footer></article><nav class=\"navigation post-navigation\"><a href=\"/prev\">Bài trước</a><a href=\"/next\">Bài sau</a></nav><div id=\"comments\" class=\"comments-area\"><h2 class=\"comments-title\">3 bình luận</h2><ol class=\"comment-list\">{}</ol><div id=\"respond\" class=\"comment-respond\"><form id=\"commentform\"><p class=\"comment-notes\">Email của bạn sẽ không được hiển thị công khai.</p><textarea name=\"comment\"></textarea></form></div></div></main><aside id=\"secondary\" class=\"sidebar widget-area\">{}{}</aside></div>{}</div>",
            esc(&title),
            p_tags(""),
            comments(rng, s, 3, "comment even thread-even depth-1"),
            teasers(rng, s, 5, "widget widget_recent_entries"),
            teasers(rng, s, 5, "widget widget_categories"),
            owner_footer()
        ),
        "blogger" => format!(
            "<div class=\"content-outer\"><header><div class=\"header-outer\"><div class=\"Header widget\" id=\"Header1\"><h1>Phố Thử</h1></div></div></header>{menu}<div class=\"main-content sidebar-right\"><div class=\"main section\" id=\"main\"><div class=\"widget Blog\" id=\"Blog1\"><div class=\"blog-posts hfeed\"><div class=\"date-outer\"><h2 class=\"date-header\"><span>Thứ Sáu, 20 tháng 11, 2026</span></h2><div class=\"date-posts\"><div class=\"post-outer\"><div class=\"post hentry uncustomized-post-template\"><h3 class=\"post-title entry-title\">{}</h3><div class=\"post-header\"><div class=\"post-header-line-1\"></div></div><div class=\"post-body entry-content\" id=\"post-body-{k}\">{}</div><div class=\"post-footer\"><div class=\"post-footer-line post-footer-line-1\"><span class=\"post-author vcard\">Đăng bởi Phố Thử</span> <span class=\"post-timestamp\">lúc 08:15</span></div><div class=\"post-share-buttons goog-inline-block\"><a href=\"#\">Chia sẻ</a></div></div></div><div class=\"comments\" id=\"comments\"><h4>2 nhận xét:</h4><div class=\"comments-content\"><ol>{}</ol></div></div></div></div></div></div><div class=\"blog-pager\" id=\"blog-pager\"><a href=\"/older\">Bài đăng cũ hơn</a></div></div></div><div class=\"sidebar section\" id=\"sidebar\"><div class=\"widget PopularPosts\" id=\"PopularPosts1\">{}</div><div class=\"widget BlogArchive\" id=\"BlogArchive1\">{}</div></div></div></div>",
            esc(&title),
            paras.iter().map(|p| format!("{}<br><br>", esc(p))).collect::<String>(),
            comments(rng, s, 2, "comment-thread"),
            teasers(rng, s, 6, "widget-content popular-posts"),
            teasers(rng, s, 6, "widget-content")
        ),
        "forum" => {
            // A thread: every post's body is what the thread says; user cards, signatures and
            // reaction bars are not.
            let posts: String = paras
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    format!(
                        "<article class=\"message message--post js-post\" id=\"js-post-{i}\"><div class=\"message-inner\"><div class=\"message-cell message-cell--user\"><h4 class=\"message-name\"><a href=\"/members/{i}\">thanhvien{i}</a></h4><h5 class=\"userTitle\">Thành viên mới</h5><dl class=\"pairs\"><dt>Bài viết</dt><dd>{}</dd></dl></div><div class=\"message-cell message-cell--main\"><header class=\"message-attribution\"><time>20/11/2026</time><a href=\"#post-{i}\">#{}</a></header><div class=\"message-content\"><div class=\"bbWrapper\">{}</div><aside class=\"message-signature\"><div class=\"bbWrapper\">Chữ ký: sống chậm lại.</div></aside></div><footer class=\"message-footer\"><a href=\"#\">Thích</a> <a href=\"#\">Trả lời</a></footer></div></div></article>",
                        10 + i * 7,
                        i + 1,
                        esc(p)
                    )
                })
                .collect();
            format!(
                "<div class=\"p-pageWrapper\"><header class=\"p-header\">{menu}</header><div class=\"p-body\"><div class=\"p-body-inner\"><div class=\"p-title\"><h1 class=\"p-title-value\">{}</h1></div><div class=\"p-body-main p-body-main--withSidebar\"><div class=\"p-body-content\"><div class=\"block block--messages\"><div class=\"block-body js-replyNewMessageContainer\">{posts}</div></div></div><div class=\"p-body-sidebar\">{}</div></div></div></div><footer class=\"p-footer\">Diễn đàn Phố Thử</footer></div>",
                esc(&title),
                teasers(rng, s, 8, "block block--category")
            )
        }
        "shop" => {
            let reviews = comments(rng, s, 3, "review");
            format!(
                "<header class=\"site-header\">{menu}</header><div class=\"product-page\"><div class=\"breadcrumbs\"><a href=\"/\">Trang chủ</a> / <a href=\"/do-gia-dung\">Đồ gia dụng</a></div><div class=\"product-main\"><div class=\"product-gallery\"><img src=\"/sp.jpg\" alt=\"Ảnh sản phẩm\"></div><div class=\"product-info\"><h1 class=\"product-title\">{}</h1><div class=\"price\"><span class=\"amount\">1.250.000₫</span></div><form class=\"cart\"><input type=\"number\" value=\"1\"><button>Thêm vào giỏ hàng</button></form></div></div><div class=\"product-tabs\"><ul class=\"tabs\"><li><a href=\"#mo-ta\">Mô tả</a></li><li><a href=\"#danh-gia\">Đánh giá (3)</a></li></ul><div class=\"tab-panel product-description\" id=\"mo-ta\">{}</div><div class=\"tab-panel\" id=\"danh-gia\"><div id=\"reviews\" class=\"comments\"><ol class=\"commentlist\">{reviews}</ol></div></div></div><section class=\"related products\"><h2>Sản phẩm tương tự</h2>{}</section></div>{}",
                esc(&title),
                p_tags(""),
                teasers(rng, s, 8, "products columns-4"),
                owner_footer()
            )
        }
        "aspnet-portal" => format!(
            "<form method=\"post\" action=\"./chi-tiet.aspx?id={k}\" id=\"form1\"><input type=\"hidden\" name=\"__VIEWSTATE\" value=\"{}\"><table width=\"100%\" class=\"khung\"><tr><td colspan=\"2\" class=\"banner\"><img src=\"/banner.jpg\" alt=\"Cổng thông tin điện tử phường Thử\"></td></tr><tr><td class=\"menu-trai\" width=\"220\">{}</td><td class=\"noi-dung-chinh\" valign=\"top\"><div class=\"ArticleHeader\"><span id=\"lblTitle\" class=\"title\">{}</span><span class=\"ngay-dang\">20/11/2026</span></div><div class=\"ArticleContent\" id=\"divContent\">{}</div><div class=\"ArticleFooter\"><a href=\"javascript:window.print()\">In trang</a> <a href=\"#\">Gửi email</a></div><div class=\"cac-tin-khac\">{}</div></td></tr></table><div class=\"footer\">Cổng thông tin điện tử phường Thử. Địa chỉ: 1 phố Thử, Hà Nội</div></form>",
            "dDwtMTIzNDU2Nzg5Ozs+".repeat(40),
            teasers(rng, s, 12, "menu-doc"),
            esc(&title),
            paras
                .iter()
                .map(|p| format!("<div style=\"text-align: justify\"><span style=\"font-size: 14px\">{}</span></div>", esc(p)))
                .collect::<String>(),
            teasers(rng, s, 6, "tin-khac")
        ),
        "page-builder" => {
            let widgets: String = paras
                .iter()
                .map(|p| {
                    format!(
                        "<div class=\"elementor-element elementor-widget elementor-widget-text-editor\" data-widget_type=\"text-editor.default\"><div class=\"elementor-widget-container\"><p>{}</p></div></div>",
                        esc(p)
                    )
                })
                .collect();
            format!(
                "<div data-elementor-type=\"header\" class=\"elementor elementor-location-header\">{menu}</div><div data-elementor-type=\"single-post\" class=\"elementor elementor-location-single\"><section class=\"elementor-section elementor-top-section\"><div class=\"elementor-container\"><div class=\"elementor-column elementor-col-66\"><div class=\"elementor-widget-wrap\"><div class=\"elementor-element elementor-widget elementor-widget-heading\"><div class=\"elementor-widget-container\"><h1 class=\"elementor-heading-title\">{}</h1></div></div>{widgets}</div></div><div class=\"elementor-column elementor-col-33\"><div class=\"elementor-widget-wrap\"><div class=\"elementor-element elementor-widget elementor-widget-posts\">{}</div></div></div></div></section></div>{}",
                esc(&title),
                teasers(rng, s, 8, "elementor-posts-container"),
                owner_footer()
            )
        }
        _ => {
            // A short article under a long comment thread.
            let short: Vec<&String> = paras.iter().take(2).collect();
            expected = short.iter().map(|p| p.as_str()).collect::<Vec<_>>().join("\n");
            format!(
                "<header class=\"site-header\">{menu}</header><div class=\"container\"><div class=\"main-col\"><div class=\"article-detail\"><h1>{}</h1><div class=\"article-body\">{}</div></div><div class=\"comment-section\"><h3>Bình luận (40)</h3><ul class=\"comment-list\">{}</ul><form class=\"comment-form\"><textarea></textarea><button>Gửi</button></form></div></div><div class=\"col-right\">{}</div></div>{}",
                esc(&title),
                short.iter().map(|p| format!("<p>{}</p>", esc(p))).collect::<String>(),
                comments(rng, s, 40, "comment-item"),
                teasers(rng, s, 8, "most-read"),
                owner_footer()
            )
        }
    };
    let html = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{} | Phố Thử</title>{head_weight}</head><body>{body}</body></html>",
        esc(&title)
    );
    Page {
        layout,
        html,
        expected: expected
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    }
}

/// Writes `n` pages as `NNNN-layout.html` and `NNNN-layout.txt` into `dir`.
pub fn write(dir: &Path, fixtures: &Path, n: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let s = sentences(fixtures);
    let mut rng = Rng(0x5eed_1a70);
    for k in 0..n {
        let p = page(k, &s, &mut rng);
        let stem = format!("{k:04}-{}", p.layout);
        std::fs::write(dir.join(format!("{stem}.html")), p.html)?;
        std::fs::write(dir.join(format!("{stem}.txt")), p.expected)?;
    }
    Ok(())
}
