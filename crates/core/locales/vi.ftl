# Lời của nghiệp vụ (lỗi, lý do cách ly dòng dữ liệu) bằng tiếng Việt.
# Mỗi mã ở đây phải có trong en.ftl; phép kiểm thử trong lantoa-core đảm bảo điều đó.

## Giới tính (CCCD)
sex-male = nam
sex-female = nữ

## Số điện thoại di động
phone-empty = Số điện thoại để trống.
phone-not-a-digit = Số điện thoại có ký tự "{ $char }", không phải chữ số.
phone-wrong-length = Số điện thoại có { $digits } chữ số; số di động có 10 chữ số (hoặc 11 trước năm 2018).
phone-unknown-prefix = Đầu số { $prefix } không thuộc nhà mạng di động nào.

## Mã số thuế
tax-code-shape = Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số của chi nhánh.
tax-code-check-digit = Chữ số kiểm tra của mã số thuế { $code } không đúng.
tax-code-never-issued = Mã số thuế { $code } có dạng không bao giờ được cấp.

## Căn cước công dân
cccd-shape = Số định danh cá nhân có 12 chữ số; giá trị này có { $chars } ký tự hoặc có ký tự không phải chữ số.
cccd-unknown-province = { $code } không phải mã tỉnh của số định danh cá nhân.
cccd-birth-year = Số định danh mã hóa năm sinh { $encoded }, nhưng hồ sơ ghi { $given }.
cccd-sex = Số định danh mã hóa giới tính { $encoded }, nhưng hồ sơ ghi { $given }.

## Nhãn: loại đơn vị, nhóm vi phạm, trạng thái hồ sơ, vai trò
kind-agency = Cơ quan, đơn vị
kind-enterprise = Doanh nghiệp
kind-press_agency = Cơ quan báo chí
kind-commune = Xã, phường
kind-person = Cá nhân
role-admin = Quản trị hệ thống
role-watch_officer = Chuyên viên thông tin điện tử
role-inspector = Thanh tra Sở
role-communicator = Cán bộ truyền thông
role-approver = Lãnh đạo phê duyệt
role-data_steward = Quản lý dữ liệu
role-agency_uploader = Cơ quan, đơn vị cung cấp dữ liệu
role-planner = Cán bộ kế hoạch
role-viewer = Người xem
case-state-phat_hien = Phát hiện
case-state-xem_xet = Đang xem xét
case-state-moi_lam_viec = Mời làm việc
case-state-chuyen_thanh_tra = Chuyển Thanh tra Sở
case-state-de_nghi_go = Đề nghị gỡ bỏ
case-state-cho_phan_hoi = Chờ phản hồi
case-state-da_khac_phuc = Đã khắc phục
case-state-xu_phat = Xử phạt
case-state-da_go = Đã gỡ
case-state-khong_go = Không gỡ
case-state-khong_vi_pham = Không vi phạm
case-state-trung = Trùng
category-bao_hoa = Dấu hiệu "báo hóa"
category-advertising = Quảng cáo trái phép
category-harmful = Thông tin xấu, độc
unit-kind-agency = cơ quan, đơn vị
unit-kind-enterprise = doanh nghiệp
unit-kind-press_agency = cơ quan báo chí
unit-kind-commune = xã, phường
unit-kind-person = cá nhân

## Chung
note-as-written = { $note }
internal-error = Đã có lỗi trong hệ thống; chi tiết đã được ghi vào nhật ký máy chủ.
storage-error = Cơ sở dữ liệu không phản hồi. Hãy thử lại sau.
data-file-invalid = Tệp dữ liệu không đọc được: { $detail }
commune-code-shape = Mã xã, phường gồm năm chữ số; "{ $value }" không phải.

## Danh mục đơn vị
registry-no-unit = Không có đơn vị số { $id }.
registry-duplicate = Đã có { $kind } với mã { $code }.
registry-ended = Đơn vị { $id } đã sáp nhập hoặc giải thể, không thể thay đổi.
registry-date-order = Ngày thay đổi { $given } phải sau ngày bắt đầu của phiên bản hiện tại ({ $current }).
registry-kind-mismatch = Không thể sáp nhập { $from } vào { $into }: chỉ sáp nhập được các đơn vị cùng loại.
registry-no-legacy-commune = Không có xã, phường trước ngày 1/7/2025 mang mã { $code }.
registry-tax-code-needed = Doanh nghiệp cần có mã số thuế.
registry-commune-code-needed = Xã, phường cần có mã gồm 5 chữ số.
registry-code-too-long = Mã dài quá { $max } ký tự.
registry-attrs-not-object = Thuộc tính phải là một đối tượng JSON.
registry-name-empty = Tên không được để trống.
registry-name-too-long = Tên dài quá { $max } ký tự.
registry-bad-kind = Loại đơn vị "{ $value }" không tồn tại.
registry-merge-self = Không thể sáp nhập một đơn vị vào chính nó.
case-document-invitation = Giấy mời
case-document-minutes = Biên bản làm việc
case-document-transfer = Phiếu chuyển hồ sơ sang Thanh tra
case-document-takedown = Công văn đề nghị Cục gỡ bỏ

## Đối tượng theo dõi, địa chỉ
watch-duplicate = Đã có đối tượng theo dõi với địa chỉ { $url }.
watch-no-subject = Không có đối tượng theo dõi số { $id }.
watch-no-case = Không có hồ sơ số { $id }.
watch-file-unreadable = Không đọc được tệp như một bảng CSV có dòng tiêu đề: { $detail }
watch-host-forbidden = { $host } trỏ tới địa chỉ { $address }, không phải địa chỉ công cộng; hệ thống thu thập không truy cập địa chỉ này.
watch-host-unreachable = Không kết nối được tới { $host }: { $reason }
watch-case-open = { $subject } đang có hồ sơ mở về { $category }: hồ sơ số { $existing }.
watch-not-a-date = "{ $value }" không phải ngày (dd/mm/yyyy hoặc yyyy-mm-dd).
watch-not-a-moment = "{ $value }" không phải ngày giờ (dd/mm/yyyy HH:mm hoặc yyyy-mm-dd HH:mm).
watch-date-in-future = Ngày { $date } ở tương lai (hôm nay là { $today }).
watch-bad-figure = "{ $value }" không phải một chỉ tiêu về hồ sơ; các chỉ tiêu: { $known }.
subject-bad-kind = "{ $value }" không phải loại đối tượng (trang web, mạng xã hội, tài khoản, kênh video, clip, bài viết).
subject-name-empty = Tên đối tượng không được để trống.
subject-name-too-long = Tên dài { $chars } ký tự; tên của đối tượng tối đa { $max } ký tự (tên trang, không phải nội dung).
url-empty = Địa chỉ để trống.
url-unreadable = "{ $url }" không phải địa chỉ web ({ $detail }).
url-not-http = "{ $url }" phải là địa chỉ http hoặc https.
url-credentials = "{ $url }" không được chứa tên đăng nhập hoặc mật khẩu.
url-no-host = "{ $url }" không có tên miền.
finding-bad-decision = "{ $value }" không phải kết luận (xác nhận, bác bỏ).
finding-bad-status = "{ $value }" không phải trạng thái dấu hiệu (mới, đã xác nhận, đã bác bỏ).

## Nhập danh sách đối tượng
import-row-unreadable = Dòng không đọc được: { $detail }
import-not-yes-no = "{ $value }" không phải "có" hoặc "không".
import-no-enterprise = Danh mục chưa có doanh nghiệp mã số thuế { $code }; hãy ghi tên doanh nghiệp để đăng ký.
import-no-unit-named = Danh mục không có đơn vị tên "{ $name }"; hãy đăng ký đơn vị hoặc ghi mã số thuế.
import-units-share-name = Có { $count } đơn vị cùng tên "{ $name }"; hãy ghi mã số thuế.

## Hồ sơ xử lý
case-move-refused = Hồ sơ ở bước "{ $from }" không chuyển được sang "{ $to }"; từ "{ $from }" chỉ chuyển sang: { $next }.
case-move-finished = Hồ sơ ở bước "{ $from }" đã kết thúc, không chuyển được sang "{ $to }".
case-move-needs-role = Chuyển hồ sơ từ "{ $from }" sang "{ $to }" cần một trong các vai trò: { $roles }.
case-open-needs-role = Mở hồ sơ cần vai trò { $role }.
case-note-required = Mỗi bước của hồ sơ phải ghi lý do.
case-bad-category = "{ $value }" không phải nhóm vi phạm; các nhóm: { $known }.
case-bad-state = "{ $value }" không phải bước của quy trình; các bước: { $known }.
case-finding-not-subjects = Dấu hiệu số { $finding } không thuộc đối tượng số { $subject }.
case-move-needs-form = Chuyển hồ sơ sang "{ $to }" phải ghi kèm { $what }: hãy dùng biểu mẫu tương ứng.
case-requires-sanction = quyết định xử phạt
case-requires-recheck = ngày kiểm tra lại
case-cannot-reopen = Không mở lại được hồ sơ số { $case }: đối tượng đang có hồ sơ mở khác cùng nhóm vi phạm.
case-changed-meanwhile = Hồ sơ số { $case } vừa được người khác thay đổi; hãy tải lại trang.
recheck-in-past = Ngày { $date } đã qua; ngày kiểm tra lại là ngày đơn vị cam kết khắc phục.
recheck-not-found = Không có lần kiểm tra lại số { $id }.
dossier-invalid = Bộ hồ sơ không hợp lệ: { $detail }

## Xử phạt
sanction-needs = Quyết định xử phạt cần ghi { $what }.
sanction-field-decision_no = số quyết định
sanction-field-decree = nghị định áp dụng
sanction-field-article = điều áp dụng
sanction-unknown-decree = "{ $decree }" không phải nghị định xử phạt trong tệp quy định (có: { $known }).
sanction-no-articles = Tệp quy định xử phạt chưa có điều nào của nghị định { $decree }; Sở bổ sung trước khi ghi quyết định theo nghị định này.
sanction-unknown-article = Nghị định { $decree } không có điều "{ $article }" trong tệp quy định (có: { $known }).
sanction-unknown-clause = Điều { $article } nghị định { $decree } không có khoản "{ $clause }" trong tệp quy định (có: { $known }).
sanction-fine-out-of-range = Mức phạt { $fine } nằm ngoài khung của khoản { $clause } điều { $article } nghị định { $decree }: từ { $min } đến { $max }.
sanction-fine-out-of-range-org = Mức phạt { $fine } nằm ngoài khung của khoản { $clause } điều { $article } nghị định { $decree }: từ { $min } đến { $max } ({ $organisation } với tổ chức).
sanction-fine-negative = Mức phạt không được âm ({ $fine }).
sanction-not-transferred = Ghi quyết định xử phạt cần hồ sơ đã qua bước "{ $state }"; hồ sơ số { $case } chưa qua bước này.
sanction-before-transfer = Ngày quyết định { $date } sớm hơn ngày chuyển hồ sơ sang Thanh tra ({ $transferred }).

## Văn bản của hồ sơ
document-needs = Văn bản này cần ghi { $what }.
document-field-meeting_at = thời gian làm việc
document-field-attendees = thành phần của Sở
document-field-unit_attendees = thành phần của đơn vị chủ quản
document-field-conclusion = kết luận
document-needs-role = Ban hành văn bản của hồ sơ cần một trong các vai trò: { $roles }.
document-none-in-state = Không ban hành "{ $kind }" khi hồ sơ ở bước "{ $state }": ở bước này không có văn bản nào.
document-not-in-state = Không ban hành "{ $kind }" khi hồ sơ ở bước "{ $state }"; ở bước này chỉ có: { $allowed }.
document-no-letterhead = Chưa có mẫu tiêu đề cơ quan cho ngày { $date }.
document-register-busy = Sổ văn bản đang bận; hãy ban hành lại.
document-not-found = Không có văn bản số { $id }.
document-bad-kind = "{ $value }" không phải loại văn bản (giấy mời, biên bản làm việc, phiếu chuyển, công văn đề nghị gỡ bỏ).
document-not-of-case = Văn bản số { $document } không thuộc hồ sơ số { $case }.
case-figure-needed = Hãy chọn chỉ tiêu cần xem danh sách hồ sơ (mời làm việc, chuyển Thanh tra…).
finding-bad-number = "{ $value }" không phải số hiệu của dấu hiệu.
body-unreadable = Nội dung gửi lên không đọc được: { $detail }

## Làm sạch dữ liệu mở: lý do một ô, một dòng bị cách ly
cell-not-excel-serial = { $value } không phải số ngày của Excel trong khoảng 1900–2099.
cell-not-iso-date = "{ $value }" không phải ngày dạng năm-tháng-ngày (2025-07-01).
cell-not-calendar-day = "{ $value }" không phải một ngày có thật trên lịch.
cell-not-date = "{ $value }" không phải ngày (cần dạng ngày/tháng/năm, ví dụ 01/07/2025).
cell-year-only = "{ $value }" chỉ có năm; cột này cần ngày đầy đủ (ghi năm vào cột năm).
cell-month-swapped = "{ $value }": không có tháng { $month }; ngày và tháng có vẻ bị đảo (dạng đúng là ngày/tháng/năm).
cell-not-datetime = "{ $value }" không phải ngày giờ (ví dụ 01/07/2025 08:30 hoặc 2025-07-01T08:30:00).
cell-not-year = "{ $value }" không phải năm (bốn chữ số).
cell-not-integer = "{ $value }" không phải số nguyên.
cell-no-number = "{ $value }" không có số nào.
cell-digit-groups = "{ $value }": các nhóm chữ số giữa dấu phân cách phải có ba chữ số.
cell-not-number = "{ $value }" không phải số.
cell-not-number-decimal = "{ $value }" không phải số (cột này dùng "{ $decimal }" làm dấu thập phân).
cell-not-number-separators = "{ $value }" không phải số (cột này dùng "{ $decimal }" làm dấu thập phân và "{ $group }" phân cách hàng nghìn).
cell-not-finite = "{ $value }" không phải số hữu hạn.
cell-not-email = "{ $value }" không phải địa chỉ thư điện tử.
cell-not-uri = "{ $value }" không phải địa chỉ URI đầy đủ ({ $detail }).
cell-not-uuid = "{ $value }" không phải mã UUID.
cell-not-boolean = "{ $value }" không phải { $true } hay { $false }.
cell-vni = Văn bản dùng bảng mã cũ VNI (ví dụ "Vieät" thay cho "Việt"); hãy lưu lại tệp dưới dạng Unicode.
cell-legacy-encoding = Văn bản dùng bảng mã cũ (TCVN3 hoặc VNI, không phân biệt được); hãy lưu lại tệp dưới dạng Unicode.
cell-required = Ô này bắt buộc phải có giá trị.
cell-too-long = Ô có { $chars } ký tự; không nhận ô dài quá { $max } ký tự.
cell-formula-error = { $value } là lỗi công thức của bảng tính, không phải giá trị.
cell-not-unique = Một dòng trước đã có giá trị này; giá trị của cột không được lặp lại.
cell-too-short = Ngắn hơn { $min } ký tự.
cell-longer-than = Dài hơn { $max } ký tự.
cell-below-minimum = Nhỏ hơn mức tối thiểu { $min }.
cell-above-maximum = Lớn hơn mức tối đa { $max }.
cell-pattern = Không đúng mẫu { $pattern }.
cell-not-allowed = Không thuộc các giá trị cho phép ({ $allowed }).
row-blank = Mọi ô của dòng đều trống.
row-missing-cell = Dòng kết thúc trước cột này.
row-extra-cell = Dòng có nhiều ô hơn dòng tiêu đề.
row-key-repeated = Một dòng trước có cùng { $fields } ({ $values }) nhưng giá trị khác.
row-key-published = Đã có dòng được công bố với khóa này.
row-k-anonymity = Chưa đủ { $k } dòng đã công bố có cùng { $fields }; dòng được giữ lại và công bố khi đủ.
admin-other-province = "{ $value }" ghi thuộc "{ $province }"; hệ thống chỉ có các xã, phường của { $city }.
admin-other-province-only = "{ $value }" không phải { $city }; hệ thống chỉ có các đơn vị của { $city }.
admin-no-district = "{ $value }" không phải quận, huyện, thị xã của { $city } trước ngày 1/7/2025.
admin-no-code = { $value } không phải mã xã, phường của { $city }, cũ hoặc hiện hành.
admin-not-in-district = Trước ngày 1/7/2025 không có xã, phường "{ $value }" thuộc { $district }, và không có đơn vị hiện hành nào mang tên này.
admin-no-commune = "{ $value }" không phải xã, phường của { $city }, cũ hoặc hiện hành.
admin-not-converted = { $value } chưa có đơn vị hiện hành trong bảng chuyển đổi.
admin-divided = "{ $value }" là { $old }, từ ngày 1/7/2025 được chia cho { $into }; dòng này thuộc đơn vị nào tùy theo đường phố: hãy ghi xã, phường hiện hành.
admin-shared = "{ $value }" có thể là một trong: { $candidates }; hãy ghi quận, huyện cũ, hoặc xã, phường hiện hành.

## Dữ liệu mở: bộ dữ liệu, tệp tải lên, cách ly
schema-invalid = Lược đồ không phải Table Schema hợp lệ: { $detail }
dataset-exists = Đã có bộ dữ liệu tên { $name }.
opendata-not-found = Không có { $what } { $id }.
opendata-thing-dataset = bộ dữ liệu
opendata-thing-upload = lần tải lên
opendata-thing-group = nhóm
opendata-thing-agency = cơ quan
opendata-thing-quarantined-row = dòng cách ly
opendata-bad-tag = Thẻ "{ $value }" phải gồm 2–{ $max } ký tự chữ, số, dấu cách, -, _ và dấu chấm.
opendata-not-one-of = "{ $value }" không thuộc các giá trị cho phép: { $allowed }.
opendata-bad-name = Tên "{ $value }" phải gồm 2–100 ký tự a-z, 0-9, - và _ (không dấu).
opendata-title-required = Cần có tiêu đề.
opendata-licence-required = Cần chọn giấy phép.
opendata-owner-not-agency = { $name } là { $kind }, không phải cơ quan, đơn vị.
opendata-no-group = Không có nhóm "{ $name }".
quarantine-not-open = Dòng cách ly số { $id } đã ở trạng thái "{ $status }".
quarantine-status-open = đang chờ sửa
quarantine-status-fixed = đã sửa
quarantine-status-discarded = đã loại bỏ
quarantine-cell-count = Đã gửi { $given } ô; lược đồ có { $fields } trường.
personal-kind-cccd = số định danh cá nhân (CCCD)
personal-kind-phone = số điện thoại
personal-kind-email = địa chỉ thư điện tử
personal-kind-name = họ tên người
personal-kind-birth = ngày sinh
personal-found = Cột { $field }: { $matched } trong { $looked } giá trị đầu là { $kind }, tức dữ liệu cá nhân (Luật 91/2025/QH15); bộ dữ liệu chia sẻ phải bỏ cột này ("lantoa:share": "drop") hoặc đặt chế độ hạn chế; nếu chỉ trông giống, hãy đánh dấu trường "lantoa:personal": false.
personal-found-or-generalise = Cột { $field }: { $matched } trong { $looked } giá trị đầu là { $kind }, tức dữ liệu cá nhân (Luật 91/2025/QH15); bộ dữ liệu chia sẻ phải bỏ cột này ("lantoa:share": "drop") hoặc khái quát hóa ("year", "age_band"), hoặc đặt chế độ hạn chế; nếu chỉ trông giống, hãy đánh dấu trường "lantoa:personal": false.
personal-labelled = Trường { $field }: { $kind } là dữ liệu cá nhân (Luật 91/2025/QH15); bộ dữ liệu chia sẻ phải bỏ cột này ("lantoa:share": "drop") hoặc đặt chế độ hạn chế.
personal-labelled-or-generalise = Trường { $field }: { $kind } là dữ liệu cá nhân (Luật 91/2025/QH15); bộ dữ liệu chia sẻ phải bỏ cột này ("lantoa:share": "drop") hoặc khái quát hóa ("year", "age_band"), hoặc đặt chế độ hạn chế.
file-empty = Tệp rỗng.
file-not-text = Tệp không phải văn bản (có byte 0); hãy tải lên CSV, XLSX hoặc JSON.
file-no-header = Tệp không có dòng tiêu đề.
file-label-encoding = Tiêu đề cột { $column }: { $detail }
file-too-large-whole = Tệp { $format } lớn hơn { $mib } MiB; bảng tính và JSON được đọc cả tệp một lúc nên tệp lớn như vậy không đọc được. Hãy lưu thành CSV (UTF-8), dạng được đọc dần, với mọi kích thước.
file-sheet-unreadable = Không đọc được trang tính: { $detail }
file-not-json = Không phải JSON ở dòng { $line }, cột { $column }: { $detail }
file-json-shape = Tệp JSON phải là một mảng đối tượng, hoặc một đối tượng chứa mảng đó trong "data", "records" hoặc "rows".
file-row-unreadable = Dòng { $row } không đọc được: { $detail }
file-blank-label = Cột { $column } không có tiêu đề; các ô của cột không được đọc.
file-duplicate-label = Cột { $column } lặp lại tiêu đề "{ $label }"; chỉ cột đầu tiên mang tiêu đề này được đọc.
file-missing-label = Không có cột nào mang tiêu đề "{ $label }" (dòng tiêu đề có: { $header }).
file-extra-label = Cột { $column } "{ $label }" không có trong lược đồ; được giữ trong tệp tải lên nhưng không công bố.
file-unreadable = Không đọc được tệp: { $detail }
file-not-csv = Không đọc được tệp như CSV: { $detail }
opendata-own-agency-only = Cán bộ cung cấp dữ liệu của cơ quan chỉ tạo bộ dữ liệu của chính cơ quan mình.
