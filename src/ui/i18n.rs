//! The interface in Vietnamese, English or Chinese. The language is per UI thread (each test
//! harness has its own); `tr` looks an English text up and falls back to it.

use std::cell::Cell;

use crate::model::Lang;

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
    /// Names of places and zones: in the interface's language.
    static NAMES: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The interface language of this thread.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// The language names are shown in: the interface's (English names keep their diacritics).
pub fn names_lang() -> Lang {
    NAMES.with(Cell::get)
}

/// Whether the system's locale is Vietnamese (`LC_ALL`, `LC_MESSAGES` or `LANG`, the first
/// set, as POSIX reads them).
pub fn system_prefers_vietnamese() -> bool {
    prefers_vietnamese(
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .map(|k| std::env::var(k).ok())
            .as_slice(),
    )
}

/// The rule behind [`system_prefers_vietnamese`], over the variables' values in order.
pub fn prefers_vietnamese(vars: &[Option<String>]) -> bool {
    vars.iter()
        .flatten()
        .find(|v| !v.is_empty())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("vi"))
}

/// Switches the interface, the names and the labels to `lang`.
pub fn set_lang(lang: Lang) {
    LANG.with(|l| l.set(lang));
    NAMES.with(|l| l.set(lang));
}

/// (English, Vietnamese, Chinese).
const TEXTS: &[(&str, &str, &str)] = &[
    ("File", "Tệp", "文件"),
    ("View", "Xem", "视图"),
    ("Tools", "Công cụ", "工具"),
    ("Basemap", "Bản đồ nền", "底图"),
    ("Help", "Trợ giúp", "帮助"),
    ("Language", "Ngôn ngữ", "语言"),
    ("Story", "Câu chuyện", "演示"),
    ("Sub-areas", "Phân khu", "分区"),
    ("Layers", "Lớp", "图层"),
    ("opacity", "độ mờ", "不透明度"),
    ("Table", "Bảng", "属性表"),
    ("Style", "Kiểu", "样式"),
    ("Zoom", "Thu phóng", "缩放"),
    ("Remove", "Gỡ", "移除"),
    ("Zoom to", "Thu phóng tới", "缩放至"),
    (
        "Role in the plan",
        "Vai trò trong quy hoạch",
        "规划中的作用",
    ),
    ("Area", "Diện tích", "面积"),
    ("Perimeter", "Chu vi", "周长"),
    ("Length", "Chiều dài", "长度"),
    ("Position", "Vị trí", "位置"),
    ("Places inside", "Địa điểm bên trong", "区内地点"),
    (
        "None of the mapped places lie inside.",
        "Không có địa điểm nào trên bản đồ nằm bên trong.",
        "区内没有已标注的地点。",
    ),
    ("Source", "Nguồn", "来源"),
    ("All properties", "Tất cả thuộc tính", "全部属性"),
    (
        "Indicative geometry — drawn from the plan's description, not surveyed",
        "Hình dạng mang tính minh họa — vẽ theo mô tả quy hoạch, chưa khảo sát",
        "示意性几何——依据规划描述绘制，未经测量",
    ),
    (
        "Approximate position — not surveyed",
        "Vị trí gần đúng — chưa khảo sát",
        "近似位置——未经测量",
    ),
    (
        "Offline — no basemap tiles. Layers and panels work as usual.",
        "Ngoại tuyến — không có ô bản đồ nền. Các lớp và bảng vẫn hoạt động bình thường.",
        "离线——没有底图瓦片。图层和面板照常使用。",
    ),
    (
        "Offline mode — no basemap tiles",
        "Chế độ ngoại tuyến — không có ô bản đồ nền",
        "离线模式——没有底图瓦片",
    ),
    (
        "No basemap configured",
        "Chưa chọn bản đồ nền",
        "未设置底图",
    ),
    (
        "Dashed outline: indicative, not surveyed",
        "Viền nét đứt: minh họa, chưa khảo sát",
        "虚线轮廓：示意性，未经测量",
    ),
    (
        "Search places or coordinates (Ctrl+F)",
        "Tìm địa điểm hoặc tọa độ (Ctrl+F)",
        "搜索地点或坐标（Ctrl+F）",
    ),
    (
        "Move the pointer over the map for its position",
        "Di chuột trên bản đồ để xem tọa độ",
        "将指针移到地图上查看坐标",
    ),
    ("Legend", "Chú giải", "图例"),
    ("Filter rows", "Lọc hàng", "筛选行"),
    (
        "No visible layers.",
        "Không có lớp nào đang hiện.",
        "没有可见的图层。",
    ),
    ("Bookmarks", "Dấu trang", "书签"),
    ("Measure (M)", "Đo (M)", "测量（M）"),
    (
        "Present from the start (F5)",
        "Trình chiếu từ đầu (F5)",
        "从头放映（F5）",
    ),
    (
        "Present from this slide (Shift+F5)",
        "Trình chiếu từ trang này (Shift+F5)",
        "从当前页放映（Shift+F5）",
    ),
    ("Edit story…", "Sửa câu chuyện…", "编辑演示…"),
    (
        "Export view as PNG…",
        "Xuất khung nhìn thành PNG…",
        "将视图导出为PNG…",
    ),
    (
        "Export all slides as PNG…",
        "Xuất mọi trang thành PNG…",
        "将所有页面导出为PNG…",
    ),
    ("Slide", "Trang", "幻灯片"),
    (
        "No sub-area layer is loaded.",
        "Chưa nạp lớp phân khu nào.",
        "未加载分区图层。",
    ),
    (
        "Open GeoJSON… (Ctrl+O)",
        "Mở GeoJSON… (Ctrl+O)",
        "打开GeoJSON…（Ctrl+O）",
    ),
    (
        "Add basemap… (MBTiles, PMTiles)",
        "Thêm bản đồ nền… (MBTiles, PMTiles)",
        "添加底图…（MBTiles、PMTiles）",
    ),
    ("Open recent", "Mở gần đây", "最近打开"),
    (
        "Save project (Ctrl+Shift+S)",
        "Lưu dự án (Ctrl+Shift+S)",
        "保存项目（Ctrl+Shift+S）",
    ),
    (
        "Initial view (Home)",
        "Khung nhìn ban đầu (Home)",
        "初始视图（Home）",
    ),
    (
        "Zoom to all layers",
        "Thu phóng tới mọi lớp",
        "缩放至全部图层",
    ),
    ("Sub-areas and layers", "Phân khu và lớp", "分区和图层"),
    ("Problems…", "Sự cố…", "问题…"),
    ("Search (Ctrl+F)", "Tìm kiếm (Ctrl+F)", "搜索（Ctrl+F）"),
    (
        "Export view for print (2×)…",
        "Xuất khung nhìn để in (2×)…",
        "导出用于打印的视图（2×）…",
    ),
    (
        "Keyboard and mouse (F1)",
        "Bàn phím và chuột (F1)",
        "键盘和鼠标（F1）",
    ),
    ("Details", "Chi tiết", "详情"),
    ("Dismiss", "Bỏ qua", "关闭"),
    ("Cancel", "Hủy", "取消"),
    ("Measure", "Đo", "测量"),
    ("Distance", "Khoảng cách", "距离"),
    ("Clear", "Xóa", "清除"),
    (
        "Click points on the map to measure. Esc clears.",
        "Nhấp các điểm trên bản đồ để đo. Esc để xóa.",
        "在地图上点击各点进行测量。按Esc清除。",
    ),
    (
        "Add current view as slide",
        "Thêm khung nhìn hiện tại làm trang",
        "将当前视图添加为幻灯片",
    ),
    ("Save story", "Lưu câu chuyện", "保存演示"),
    ("Move up", "Lên", "上移"),
    ("Move down", "Xuống", "下移"),
    ("Delete slide", "Xóa trang", "删除幻灯片"),
    ("Keyboard and mouse", "Bàn phím và chuột", "键盘和鼠标"),
    ("Provider", "Nhà cung cấp", "提供方"),
    (
        "Add tile provider…",
        "Thêm nhà cung cấp ô bản đồ…",
        "添加瓦片提供方…",
    ),
    (
        "Make this area available offline…",
        "Dùng khu vực này khi ngoại tuyến…",
        "离线保存此区域…",
    ),
    ("Tile cache limit", "Giới hạn bộ nhớ đệm ô", "瓦片缓存上限"),
    (
        "Basemap: the bundled map of the province (offline)",
        "Bản đồ nền: bản đồ tỉnh kèm theo ứng dụng (ngoại tuyến)",
        "底图：随附的全省地图（离线）",
    ),
    ("online", "trực tuyến", "在线"),
    ("offline", "ngoại tuyến", "离线"),
    ("loading…", "đang tải…", "加载中…"),
    (
        "offline — no tiles",
        "ngoại tuyến — không có ô bản đồ",
        "离线 — 无瓦片",
    ),
    ("none", "không có", "无"),
    (
        "Offline — no basemap tiles: the bundled map of the province is shown.",
        "Ngoại tuyến — không có ô bản đồ nền: đang hiển thị bản đồ tỉnh kèm theo ứng dụng.",
        "离线 — 无底图瓦片：显示随附的全省地图。",
    ),
    ("Wards of 2025", "Phường, xã năm 2025", "2025年的坊和社"),
    (
        "Not within any ward of 2025.",
        "Không nằm trong phường, xã nào của năm 2025.",
        "不在2025年的任何坊、社之内。",
    ),
    ("About Corridor", "Giới thiệu Corridor", "关于 Corridor"),
    ("Sources of the data", "Nguồn dữ liệu", "数据来源"),
    ("Outline", "Đường ranh giới", "边界画法"),
    ("Close", "Đóng", "关闭"),
    // Opening planners' files.
    ("Add tables", "Thêm bảng", "添加数据表"),
    (
        "This file holds several tables. Tick those to add as layers.",
        "Tệp này có nhiều bảng. Đánh dấu những bảng cần thêm thành lớp.",
        "此文件包含多个数据表。勾选要添加为图层的表。",
    ),
    ("features", "đối tượng", "个要素"),
    ("All", "Tất cả", "全选"),
    ("None", "Bỏ chọn", "全不选"),
    ("Add layers", "Thêm lớp", "添加图层"),
    ("Coordinate system", "Hệ tọa độ", "坐标系"),
    (
        "This file does not say which coordinate system it is in, and its coordinates are not degrees. Which system is it in? Corridor remembers the answer for this file.",
        "Tệp này không cho biết hệ tọa độ, và tọa độ của nó không phải là độ. Tệp thuộc hệ tọa độ nào? Corridor sẽ ghi nhớ câu trả lời cho tệp này.",
        "此文件未说明所用坐标系，且其坐标不是经纬度。它属于哪个坐标系？Corridor 会为此文件记住您的回答。",
    ),
    ("Another:", "Hệ khác:", "其他："),
    ("Open", "Mở", "打开"),
    ("Vietnamese text", "Chữ tiếng Việt", "越南文字"),
    (
        "The text of this layer looks written in the legacy encoding",
        "Chữ của lớp này có vẻ được viết bằng bảng mã cũ",
        "此图层的文字似乎使用旧编码",
    ),
    (
        "Decode it to Unicode?",
        "Chuyển sang Unicode?",
        "要转换为 Unicode 吗？",
    ),
    ("Encoding:", "Bảng mã:", "编码："),
    ("Decode from", "Chuyển từ", "转换自"),
    ("Keep as it is", "Giữ nguyên", "保持原样"),
    ("Not now", "Để sau", "以后再说"),
    (
        "Decoding would change no text.",
        "Chuyển mã sẽ không thay đổi chữ nào.",
        "转换不会改变任何文字。",
    ),
    ("As read", "Như đã đọc", "读取原样"),
    ("Decoded", "Đã chuyển mã", "转换后"),
    ("Save as / export…", "Lưu thành / xuất…", "另存为／导出…"),
];

/// Every interface text as (English, Vietnamese, Chinese), for checking the fonts cover them.
pub fn all_texts() -> &'static [(&'static str, &'static str, &'static str)] {
    TEXTS
}

/// `en` in the interface language.
pub fn tr(en: &'static str) -> &'static str {
    let l = lang();
    if l == Lang::En {
        return en;
    }
    TEXTS
        .iter()
        .find(|(e, _, _)| *e == en)
        .map(|(_, vi, zh)| if l == Lang::Vi { *vi } else { *zh })
        .unwrap_or(en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_follow_the_language_and_fall_back_to_english() {
        set_lang(Lang::Zh);
        assert_eq!(tr("Layers"), "图层");
        assert_eq!(tr("not in the table"), "not in the table");
        set_lang(Lang::Vi);
        assert_eq!(tr("Sub-areas"), "Phân khu");
        set_lang(Lang::En);
        assert_eq!(tr("Layers"), "Layers");
    }

    #[test]
    fn a_vietnamese_locale_is_told_from_the_first_variable_set() {
        let v = |xs: &[&str]| -> Vec<Option<String>> {
            xs.iter()
                .map(|x| (!x.is_empty()).then(|| x.to_string()))
                .collect()
        };
        assert!(prefers_vietnamese(&v(&["", "", "vi_VN.UTF-8"])));
        assert!(prefers_vietnamese(&v(&["vi", "", "en_US.UTF-8"])));
        assert!(!prefers_vietnamese(&v(&["", "en_GB.UTF-8", "vi_VN.UTF-8"])));
        assert!(!prefers_vietnamese(&v(&["", "", ""])));
        assert!(!prefers_vietnamese(&v(&["C.UTF-8"])));
    }

    #[test]
    fn every_entry_is_translated() {
        for (en, vi, zh) in TEXTS {
            assert!(!vi.is_empty() && !zh.is_empty(), "{en}");
        }
    }
}
