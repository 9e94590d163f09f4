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
    ("Feature id", "Mã đối tượng", "要素编号"),
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
    (
        "Reload from disk (drops my unsaved edits)",
        "Tải lại từ đĩa (bỏ các sửa đổi chưa lưu của tôi)",
        "从磁盘重新载入（放弃我未保存的编辑）",
    ),
    ("Reload from disk", "Tải lại từ đĩa", "从磁盘重新载入"),
    ("Keep mine", "Giữ bản của tôi", "保留我的"),
    (
        "Keep this version; saving will replace the file on disk",
        "Giữ phiên bản này; khi lưu sẽ thay tệp trên đĩa",
        "保留此版本；保存时将替换磁盘上的文件",
    ),
    ("the project's {}", "{} của dự án", "项目的{}"),
    (
        "Unsaved changes in: {}.",
        "Thay đổi chưa lưu trong: {}.",
        "未保存的更改：{}。",
    ),
    (
        "There is no loaded layer to edit.",
        "Không có lớp nào đã tải để sửa.",
        "没有已载入的图层可编辑。",
    ),
    ("Redo", "Làm lại", "重做"),
    ("Undo", "Hoàn tác", "撤销"),
    ("Edit feature", "Sửa đối tượng", "编辑要素"),
    ("Attributes", "Thuộc tính", "属性"),
    ("Delete feature", "Xóa đối tượng", "删除要素"),
    (
        "Delete this feature (Delete key); Ctrl+Z brings it back",
        "Xóa đối tượng này (phím Delete); Ctrl+Z để khôi phục",
        "删除此要素（Delete 键）；Ctrl+Z 可恢复",
    ),
    ("Export", "Xuất", "导出"),
    (
        "There is nowhere to export to: no file dialog and no pictures folder.",
        "Không có nơi để xuất: không có hộp thoại tệp và không có thư mục ảnh.",
        "无处可导出：没有文件对话框，也没有图片文件夹。",
    ),
    (
        "Export failed: the renderer stopped unexpectedly",
        "Xuất thất bại: bộ kết xuất dừng đột ngột",
        "导出失败：渲染器意外停止",
    ),
    ("Open map files", "Mở tệp bản đồ", "打开地图文件"),
    (
        "Map files (GeoJSON, Shapefile, GeoPackage, MapInfo, KML, FlatGeobuf, DXF)",
        "Tệp bản đồ (GeoJSON, Shapefile, GeoPackage, MapInfo, KML, FlatGeobuf, DXF)",
        "地图文件（GeoJSON、Shapefile、GeoPackage、MapInfo、KML、FlatGeobuf、DXF）",
    ),
    ("All files", "Mọi tệp", "所有文件"),
    ("Nothing yet", "Chưa có gì", "暂无"),
    ("Edit", "Sửa", "编辑"),
    ("Add basemap", "Thêm bản đồ nền", "添加底图"),
    (
        "Tile files (MBTiles, PMTiles)",
        "Tệp ô bản đồ (MBTiles, PMTiles)",
        "瓦片文件（MBTiles、PMTiles）",
    ),
    (
        "Style of vector tiles",
        "Kiểu của ô bản đồ vector",
        "矢量瓦片样式",
    ),
    (
        "MapLibre style (JSON)",
        "Kiểu MapLibre (JSON)",
        "MapLibre 样式（JSON）",
    ),
    (
        "Add PostGIS layer…",
        "Thêm lớp PostGIS…",
        "添加 PostGIS 图层…",
    ),
    (
        "Save layer (Ctrl+S)",
        "Lưu lớp (Ctrl+S)",
        "保存图层（Ctrl+S）",
    ),
    ("Save layer as…", "Lưu lớp thành…", "图层另存为…"),
    ("Undo (Ctrl+Z)", "Hoàn tác (Ctrl+Z)", "撤销（Ctrl+Z）"),
    ("Redo (Ctrl+Y)", "Làm lại (Ctrl+Y)", "重做（Ctrl+Y）"),
    ("Stop editing (E)", "Dừng sửa (E)", "停止编辑（E）"),
    ("Edit layer (E)", "Sửa lớp (E)", "编辑图层（E）"),
    (
        "The question to the database stopped unexpectedly",
        "Truy vấn tới cơ sở dữ liệu dừng đột ngột",
        "对数据库的查询意外停止",
    ),
    (
        "The server asks for a password: type it above.",
        "Máy chủ yêu cầu mật khẩu: hãy nhập ở trên.",
        "服务器要求密码：请在上方输入。",
    ),
    (
        "No table with a geometry column here.",
        "Ở đây không có bảng nào có cột hình học.",
        "此处没有含几何列的表。",
    ),
    (
        "Not a PostGIS layer",
        "Không phải lớp PostGIS",
        "不是 PostGIS 图层",
    ),
    ("Resolve conflicts…", "Giải quyết xung đột…", "解决冲突…"),
    ("Database password", "Mật khẩu cơ sở dữ liệu", "数据库密码"),
    ("Password", "Mật khẩu", "密码"),
    ("Connect", "Kết nối", "连接"),
    ("Conflicts", "Xung đột", "冲突"),
    ("Take theirs", "Lấy bản của họ", "采用对方的"),
    ("Show", "Hiện", "显示"),
    ("Add PostGIS layer", "Thêm lớp PostGIS", "添加 PostGIS 图层"),
    ("Database URL", "URL cơ sở dữ liệu", "数据库 URL"),
    (
        "Tables with a geometry column",
        "Các bảng có cột hình học",
        "含几何列的表",
    ),
    (
        "Install change notifications",
        "Cài thông báo thay đổi",
        "安装变更通知",
    ),
    ("Add layer", "Thêm lớp", "添加图层"),
    (
        "This project has no story to present: add slides with Story → Edit story…",
        "Dự án này chưa có câu chuyện để trình chiếu: thêm trang bằng Câu chuyện → Sửa câu chuyện…",
        "此项目没有可放映的演示：请通过 演示 → 编辑演示… 添加幻灯片",
    ),
    ("No such layer", "Không có lớp này", "没有此图层"),
    ("{} problems", "{} vấn đề", "{} 个问题"),
    ("Loading {}", "Đang tải {}", "正在载入 {}"),
    ("Problems", "Vấn đề", "问题"),
    ("Everything loaded.", "Đã tải xong tất cả.", "全部已载入。"),
    (
        "Layers that failed are listed in the layers panel; everything else is loaded and works.",
        "Các lớp bị lỗi được liệt kê trong bảng lớp; mọi thứ khác đã tải và hoạt động.",
        "失败的图层列在图层面板中；其余内容均已载入并可使用。",
    ),
    ("Attributes — {}", "Thuộc tính — {}", "属性 — {}"),
    ("Style — {}", "Kiểu — {}", "样式 — {}"),
    (
        "File → Save project keeps this style in the project file.",
        "Tệp → Lưu dự án sẽ giữ kiểu này trong tệp dự án.",
        "文件 → 保存项目 会把此样式保存在项目文件中。",
    ),
    (
        "Add tile provider",
        "Thêm nhà cung cấp ô bản đồ",
        "添加瓦片提供方",
    ),
    ("Name", "Tên", "名称"),
    ("URL template", "Mẫu URL", "URL 模板"),
    ("Attribution", "Ghi công", "版权声明"),
    ("Lowest zoom", "Mức thu phóng thấp nhất", "最低缩放级别"),
    ("Highest zoom", "Mức thu phóng cao nhất", "最高缩放级别"),
    (
        "Allows bulk download (its terms permit it: your own tile server, say)",
        "Cho phép tải hàng loạt (điều khoản cho phép, ví dụ máy chủ ô bản đồ của riêng bạn)",
        "允许批量下载（其条款允许，例如您自己的瓦片服务器）",
    ),
    ("Add provider", "Thêm nhà cung cấp", "添加提供方"),
    (
        "Give the provider a name.",
        "Hãy đặt tên cho nhà cung cấp.",
        "请为提供方命名。",
    ),
    (
        "Local tile files (drawn over the provider)",
        "Tệp ô bản đồ cục bộ (vẽ đè lên nhà cung cấp)",
        "本地瓦片文件（绘制在提供方之上）",
    ),
    (
        "None: add an MBTiles or PMTiles file (raster or vector), or make an area available offline.",
        "Chưa có: thêm một tệp MBTiles hoặc PMTiles (raster hoặc vector), hoặc tải một vùng để dùng ngoại tuyến.",
        "无：添加 MBTiles 或 PMTiles 文件（栅格或矢量），或将某一区域设为离线可用。",
    ),
    (
        "Add basemap file… (MBTiles, PMTiles)",
        "Thêm tệp bản đồ nền… (MBTiles, PMTiles)",
        "添加底图文件…（MBTiles、PMTiles）",
    ),
    (
        "Built-in (Protomaps or OpenMapTiles layers, as the file has)",
        "Có sẵn (theo các lớp Protomaps hoặc OpenMapTiles của tệp)",
        "内置（按文件所含的 Protomaps 或 OpenMapTiles 图层）",
    ),
    (
        "Choose a MapLibre style… (JSON)",
        "Chọn kiểu MapLibre… (JSON)",
        "选择 MapLibre 样式…（JSON）",
    ),
    (
        "Make this area available offline",
        "Tải vùng này để dùng ngoại tuyến",
        "将此区域设为离线可用",
    ),
    ("From: {}", "Từ: {}", "来源：{}"),
    ("(no provider)", "(không có nhà cung cấp)", "（无提供方）"),
    ("Current view", "Khung nhìn hiện tại", "当前视图"),
    (
        "Extent of all layers",
        "Phạm vi của mọi lớp",
        "所有图层的范围",
    ),
    ("A rectangle", "Một hình chữ nhật", "一个矩形"),
    ("Draw again", "Vẽ lại", "重新绘制"),
    ("Draw it on the map", "Vẽ trên bản đồ", "在地图上绘制"),
    (
        "Drag on the map to draw the area",
        "Kéo trên bản đồ để vẽ vùng",
        "在地图上拖动以绘制区域",
    ),
    ("Zoom from", "Thu phóng từ", "缩放级别从"),
    ("to", "đến", "到"),
    (
        "Drag on the map to draw the area.",
        "Kéo trên bản đồ để vẽ vùng.",
        "在地图上拖动以绘制区域。",
    ),
    (
        "Nothing to download: the map has no extent yet.",
        "Không có gì để tải: bản đồ chưa có phạm vi.",
        "无可下载内容：地图尚无范围。",
    ),
    (
        "{} tiles, about {} MB",
        "{} ô, khoảng {} MB",
        "{} 个瓦片，约 {} MB",
    ),
    (
        "Choose a tile provider in the Basemap menu first.",
        "Hãy chọn nhà cung cấp ô bản đồ trong trình đơn Bản đồ nền trước.",
        "请先在“底图”菜单中选择瓦片提供方。",
    ),
    (
        "More than 250 000 tiles: choose a smaller area or fewer zoom levels.",
        "Hơn 250 000 ô: hãy chọn vùng nhỏ hơn hoặc ít mức thu phóng hơn.",
        "超过 250 000 个瓦片：请选择更小的区域或更少的缩放级别。",
    ),
    (
        "{} downloaded, {} already there, {} failed",
        "{} đã tải, {} đã có sẵn, {} thất bại",
        "已下载 {}，已存在 {}，失败 {}",
    ),
    ("Download", "Tải xuống", "下载"),
    (
        "Downloads into an MBTiles file; run it again to resume",
        "Tải vào một tệp MBTiles; chạy lại để tiếp tục",
        "下载到 MBTiles 文件；再次运行可继续",
    ),
    (
        "Cancelled after {} tiles; Download again to resume.",
        "Đã hủy sau {} ô; bấm Tải xuống lần nữa để tiếp tục.",
        "已在 {} 个瓦片后取消；再次点击“下载”可继续。",
    ),
    (
        "Done: {} tiles downloaded, {} already there, {} failed. Saved to {} and used as a basemap.",
        "Xong: đã tải {} ô, {} ô đã có sẵn, {} ô thất bại. Đã lưu vào {} và dùng làm bản đồ nền.",
        "完成：已下载 {} 个瓦片，{} 个已存在，{} 个失败。已保存到 {} 并用作底图。",
    ),
    (
        "Could not download: {}",
        "Không tải được: {}",
        "无法下载：{}",
    ),
    (
        "Name this view",
        "Đặt tên cho khung nhìn này",
        "为此视图命名",
    ),
    ("Add bookmark", "Thêm dấu trang", "添加书签"),
    ("No bookmarks yet.", "Chưa có dấu trang nào.", "尚无书签。"),
    ("Delete", "Xóa", "删除"),
    ("Delete bookmark {}", "Xóa dấu trang {}", "删除书签 {}"),
    ("Editing", "Đang sửa", "正在编辑"),
    ("Snap (S)", "Bắt điểm (S)", "捕捉（S）"),
    (
        "Snap to vertices and edges of other features within a few pixels",
        "Bắt vào đỉnh và cạnh của đối tượng khác trong vài điểm ảnh",
        "在几个像素内捕捉其他要素的节点和边",
    ),
    (
        "Undo {} (Ctrl+Z)",
        "Hoàn tác {} (Ctrl+Z)",
        "撤销 {}（Ctrl+Z）",
    ),
    (
        "Redo {} (Ctrl+Y)",
        "Làm lại {} (Ctrl+Y)",
        "重做 {}（Ctrl+Y）",
    ),
    ("Save ●", "Lưu ●", "保存 ●"),
    ("Save", "Lưu", "保存"),
    ("Save {} (Ctrl+S)", "Lưu {} (Ctrl+S)", "保存 {}（Ctrl+S）"),
    ("Save as…", "Lưu thành…", "另存为…"),
    (
        "Click to place the point.",
        "Nhấp để đặt điểm.",
        "单击以放置点。",
    ),
    (
        "Click to add vertices; Enter or double-click finishes, Backspace removes the last, Escape cancels.",
        "Nhấp để thêm đỉnh; Enter hoặc nhấp đúp để xong, Backspace xóa đỉnh cuối, Esc để hủy.",
        "单击添加节点；Enter 或双击完成，Backspace 删除最后一个，Esc 取消。",
    ),
    ("Remove “{}”", "Gỡ “{}”", "移除“{}”"),
    ("New:", "Mới:", "新建："),
    ("Add", "Thêm", "添加"),
    ("No geometry", "Không có hình học", "无几何"),
    (
        "The selected feature no longer exists.",
        "Đối tượng đã chọn không còn nữa.",
        "所选要素已不存在。",
    ),
    ("Close (Esc)", "Đóng (Esc)", "关闭（Esc）"),
    ("Tiếng Việt", "Tiếng Việt", "越南文"),
    ("English", "Tiếng Anh", "英文"),
    ("Accuracy: {}", "Độ chính xác: {}", "精度：{}"),
    (
        "Geodesic area on the WGS84 ellipsoid, computed from the geometry",
        "Diện tích trắc địa trên ellipsoid WGS84, tính từ hình học",
        "WGS84 椭球面上的大地测量面积，由几何计算",
    ),
    (
        "Geodesic length on the WGS84 ellipsoid",
        "Chiều dài trắc địa trên ellipsoid WGS84",
        "WGS84 椭球面上的大地测量长度",
    ),
    (
        "The wards and communes that govern this area since 1 July 2025, with the area of each overlap (geodesic)",
        "Các phường, xã quản lý vùng này từ ngày 1 tháng 7 năm 2025, kèm diện tích từng phần chồng lấn (trắc địa)",
        "自 2025 年 7 月 1 日起管辖此区域的坊和社，以及各重叠部分的面积（大地测量）",
    ),
    ("Properties (none)", "Thuộc tính (không có)", "属性（无）"),
    ("(not stated)", "(không ghi)", "（未注明）"),
    (
        "Every source, its licence and what was done to it: {}",
        "Mọi nguồn, giấy phép và những gì đã làm với nó: {}",
        "每个来源、其许可以及对其所做的处理：{}",
    ),
    (
        "Desktop GIS viewer and zone-boundary editor for the Bình Dương innovation corridor",
        "Phần mềm GIS xem bản đồ và sửa ranh giới khu cho khu đổi mới sáng tạo Bình Dương",
        "平阳革新创新区的桌面 GIS 查看器与分区边界编辑器",
    ),
    (
        "Show or hide this help",
        "Hiện hoặc ẩn phần trợ giúp này",
        "显示或隐藏此帮助",
    ),
    (
        "Present the story from the first / the current slide",
        "Trình chiếu câu chuyện từ trang đầu / trang hiện tại",
        "从第一张 / 当前幻灯片开始放映演示",
    ),
    (
        "Page Down, →, ↓, Space, Enter",
        "Page Down, →, ↓, Space, Enter",
        "Page Down、→、↓、空格、Enter",
    ),
    (
        "Next slide (while presenting)",
        "Trang sau (khi trình chiếu)",
        "下一张（放映时）",
    ),
    (
        "Page Up, ←, ↑, Backspace",
        "Page Up, ←, ↑, Backspace",
        "Page Up、←、↑、Backspace",
    ),
    (
        "Previous slide (while presenting)",
        "Trang trước (khi trình chiếu)",
        "上一张（放映时）",
    ),
    (
        "First / last slide (while presenting)",
        "Trang đầu / trang cuối (khi trình chiếu)",
        "第一张 / 最后一张（放映时）",
    ),
    ("B or .", "B hoặc .", "B 或 ."),
    (
        "Blank the screen and back (while presenting)",
        "Làm đen màn hình và trở lại (khi trình chiếu)",
        "黑屏及恢复（放映时）",
    ),
    (
        "Switch language vi → en → zh (while presenting)",
        "Đổi ngôn ngữ vi → en → zh (khi trình chiếu)",
        "切换语言 vi → en → zh（放映时）",
    ),
    (
        "Search places, names in any language, or coordinates",
        "Tìm địa điểm, tên bằng bất kỳ ngôn ngữ nào, hoặc tọa độ",
        "搜索地点、任意语言的名称或坐标",
    ),
    (
        "Enter (in search)",
        "Enter (khi tìm kiếm)",
        "Enter（搜索时）",
    ),
    (
        "Fly to the best match and select it",
        "Bay tới kết quả khớp nhất và chọn nó",
        "飞到最佳匹配并选中",
    ),
    (
        "↑ / ↓ (in search)",
        "↑ / ↓ (khi tìm kiếm)",
        "↑ / ↓（搜索时）",
    ),
    (
        "Move through the results",
        "Di chuyển qua các kết quả",
        "在结果间移动",
    ),
    (
        "Measure distance and area; click points on the map",
        "Đo khoảng cách và diện tích; nhấp các điểm trên bản đồ",
        "测量距离和面积；在地图上单击各点",
    ),
    (
        "Clear the measurement, close search, or clear the selection",
        "Xóa phép đo, đóng tìm kiếm, hoặc bỏ chọn",
        "清除测量、关闭搜索或取消选择",
    ),
    (
        "Open a GeoJSON file as a new layer",
        "Mở một tệp GeoJSON thành lớp mới",
        "将 GeoJSON 文件作为新图层打开",
    ),
    (
        "Edit the selected feature's layer, or stop editing",
        "Sửa lớp của đối tượng đã chọn, hoặc dừng sửa",
        "编辑所选要素的图层，或停止编辑",
    ),
    (
        "V / G / P / L / O (editing)",
        "V / G / P / L / O (khi sửa)",
        "V / G / P / L / O（编辑时）",
    ),
    (
        "Select and drag vertices / move a feature / draw a polygon, line, point",
        "Chọn và kéo đỉnh / di chuyển đối tượng / vẽ đa giác, đường, điểm",
        "选择并拖动节点 / 移动要素 / 绘制多边形、线、点",
    ),
    (
        "Drag a vertex / a midpoint (editing)",
        "Kéo một đỉnh / một trung điểm (khi sửa)",
        "拖动节点 / 中点（编辑时）",
    ),
    (
        "Move the vertex / insert a new one",
        "Di chuyển đỉnh / chèn đỉnh mới",
        "移动节点 / 插入新节点",
    ),
    ("Delete (editing)", "Delete (khi sửa)", "Delete（编辑时）"),
    (
        "Delete the selected vertex, or the selected feature",
        "Xóa đỉnh đã chọn, hoặc đối tượng đã chọn",
        "删除所选节点或所选要素",
    ),
    (
        "Enter, double-click / Backspace / Esc (drawing)",
        "Enter, nhấp đúp / Backspace / Esc (khi vẽ)",
        "Enter、双击 / Backspace / Esc（绘制时）",
    ),
    (
        "Finish the shape / remove its last vertex / cancel it",
        "Hoàn tất hình / xóa đỉnh cuối / hủy hình",
        "完成图形 / 删除最后一个节点 / 取消",
    ),
    ("S (editing)", "S (khi sửa)", "S（编辑时）"),
    (
        "Snapping to other features on or off",
        "Bật hoặc tắt bắt điểm vào đối tượng khác",
        "开启或关闭对其他要素的捕捉",
    ),
    (
        "Undo / redo an edit",
        "Hoàn tác / làm lại một sửa đổi",
        "撤销 / 重做编辑",
    ),
    (
        "Save the layer being edited to its file",
        "Lưu lớp đang sửa vào tệp của nó",
        "将正在编辑的图层保存到其文件",
    ),
    (
        "Save the project (layers, styles, view, bookmarks)",
        "Lưu dự án (lớp, kiểu, khung nhìn, dấu trang)",
        "保存项目（图层、样式、视图、书签）",
    ),
    (
        "Fly back to the project's initial view",
        "Bay về khung nhìn ban đầu của dự án",
        "飞回项目的初始视图",
    ),
    ("Zoom in / out", "Phóng to / thu nhỏ", "放大 / 缩小"),
    ("Drag", "Kéo", "拖动"),
    ("Pan the map", "Di chuyển bản đồ", "平移地图"),
    ("Mouse wheel", "Con lăn chuột", "鼠标滚轮"),
    (
        "Zoom at the pointer",
        "Thu phóng tại con trỏ",
        "在指针处缩放",
    ),
    (
        "Double-click / right double-click",
        "Nhấp đúp / nhấp đúp chuột phải",
        "双击 / 右键双击",
    ),
    (
        "Zoom in / out at the pointer",
        "Phóng to / thu nhỏ tại con trỏ",
        "在指针处放大 / 缩小",
    ),
    ("Click", "Nhấp", "单击"),
    (
        "Select a feature and open its panel",
        "Chọn một đối tượng và mở bảng của nó",
        "选择要素并打开其面板",
    ),
    ("Right-click", "Nhấp chuột phải", "右键单击"),
    (
        "Copy the coordinates under the pointer",
        "Sao chép tọa độ dưới con trỏ",
        "复制指针处的坐标",
    ),
    ("Drag to reorder", "Kéo để sắp xếp lại", "拖动以重新排序"),
    ("PostGIS table {}", "Bảng PostGIS {}", "PostGIS 表 {}"),
    (
        "GeoJSON, GeoPackage or Shapefile, in WGS 84 or VN-2000",
        "GeoJSON, GeoPackage hoặc Shapefile, theo WGS 84 hoặc VN-2000",
        "GeoJSON、GeoPackage 或 Shapefile，采用 WGS 84 或 VN-2000",
    ),
    (
        "Shared in {}: saves write to the table, other editors' saves appear here",
        "Dùng chung trong {}: khi lưu sẽ ghi vào bảng, bản lưu của người sửa khác hiện ở đây",
        "在 {} 中共享：保存会写入该表，其他编辑者的保存会显示在此",
    ),
    ("Unsaved changes", "Thay đổi chưa lưu", "未保存的更改"),
    ("Number of features", "Số đối tượng", "要素数量"),
    (
        "Rows in the table (the server's estimate): too many to hold, so the rows around the view are read as you pan ({} now)",
        "Số hàng trong bảng (ước tính của máy chủ): quá nhiều để giữ hết, nên các hàng quanh khung nhìn được đọc khi bạn di chuyển bản đồ (hiện có {})",
        "表中的行数（服务器的估计）：行数太多，无法全部载入，因此随着地图平移读取视图周围的行（当前 {} 行）",
    ),
    ("overview", "tổng quan", "概览"),
    (
        "Zoomed out this far, the map shows where every row is; zoom in to see, select and edit the rows themselves",
        "Ở mức thu nhỏ này, bản đồ cho thấy vị trí của mọi hàng; hãy phóng to để xem, chọn và sửa chính các hàng",
        "缩小到这一级别时，地图显示每一行的位置；放大后即可查看、选择和编辑这些行",
    ),
    (
        "Rows could not be read: {}",
        "Không đọc được các hàng: {}",
        "无法读取行：{}",
    ),
    ("Not loaded: {}", "Chưa tải được: {}", "未载入：{}"),
    (
        "Attribute table of {}",
        "Bảng thuộc tính của {}",
        "{} 的属性表",
    ),
    ("Style of {}", "Kiểu của {}", "{} 的样式"),
    (
        "Edit the features of {} (E)",
        "Sửa các đối tượng của {} (E)",
        "编辑 {} 的要素（E）",
    ),
    ("Zoom to {}", "Thu phóng tới {}", "缩放至 {}"),
    (
        "Remove {} from the map",
        "Gỡ {} khỏi bản đồ",
        "从地图移除 {}",
    ),
    ("Copy coordinates", "Sao chép tọa độ", "复制坐标"),
    ("Delete vertex", "Xóa đỉnh", "删除节点"),
    ("Segment {}", "Đoạn {}", "第 {} 段"),
    ("Clicked polygon", "Đa giác đã nhấp", "所单击的多边形"),
    (
        "Geodesic, on the WGS84 ellipsoid. The area closes the path back to its first point.",
        "Trắc địa, trên ellipsoid WGS84. Diện tích được tính khi khép đường về điểm đầu.",
        "大地测量，基于 WGS84 椭球面。面积按路径闭合回第一个点计算。",
    ),
    ("Nothing found", "Không tìm thấy gì", "未找到"),
    (
        "No story yet. Slides you add are saved to {}.",
        "Chưa có câu chuyện. Các trang bạn thêm sẽ được lưu vào {}.",
        "尚无演示。您添加的幻灯片将保存到 {}。",
    ),
    ("Title ({})", "Tiêu đề ({})", "标题（{}）"),
    ("Text ({})", "Nội dung ({})", "正文（{}）"),
    ("Fill", "Màu nền", "填充"),
    ("Fill opacity", "Độ đục của màu nền", "填充不透明度"),
    ("Stroke", "Đường viền", "描边"),
    ("Stroke width", "Độ rộng đường viền", "描边宽度"),
    ("Marker", "Điểm đánh dấu", "标记"),
    ("Marker radius", "Bán kính điểm đánh dấu", "标记半径"),
    ("Label", "Nhãn", "标注"),
    ("Colour by", "Tô màu theo", "按字段着色"),
    ("Categories of “{}”", "Các loại của “{}”", "“{}”的类别"),
    (
        "Only the first {} values get a colour.",
        "Chỉ {} giá trị đầu tiên được tô màu.",
        "只有前 {} 个值会着色。",
    ),
    ("{} of {} features", "{} / {} đối tượng", "{} / {} 个要素"),
    ("Sort by {}", "Sắp xếp theo {}", "按 {} 排序"),
    ("Select / vertices", "Chọn / đỉnh", "选择 / 节点"),
    ("Move feature", "Di chuyển đối tượng", "移动要素"),
    ("Draw polygon", "Vẽ đa giác", "绘制多边形"),
    ("Draw line", "Vẽ đường", "绘制线"),
    ("Draw point", "Vẽ điểm", "绘制点"),
    ("text", "chữ", "文本"),
    ("number", "số", "数字"),
    ("true/false", "đúng/sai", "真/假"),
    ("Save layer as", "Lưu lớp thành", "图层另存为"),
    ("File:", "Tệp:", "文件："),
    ("Format:", "Định dạng:", "格式："),
    (
        "(by the file's ending: .geojson, .gpkg, .shp, .fgb, .tab, .kml)",
        "(theo phần đuôi của tệp: .geojson, .gpkg, .shp, .fgb, .tab, .kml)",
        "（按文件扩展名：.geojson、.gpkg、.shp、.fgb、.tab、.kml）",
    ),
    ("Coordinate system:", "Hệ tọa độ:", "坐标系："),
    (
        "Saves the layer as GeoJSON (WGS 84): later saves go to this file.",
        "Lưu lớp thành GeoJSON (WGS 84): các lần lưu sau sẽ ghi vào tệp này.",
        "将图层保存为 GeoJSON（WGS 84）：之后的保存都写入此文件。",
    ),
    (
        "from PGPASSWORD or ~/.pgpass if empty",
        "lấy từ PGPASSWORD hoặc ~/.pgpass nếu để trống",
        "留空则取自 PGPASSWORD 或 ~/.pgpass",
    ),
    (
        "The password is never written to the project file.",
        "Mật khẩu không bao giờ được ghi vào tệp dự án.",
        "密码绝不会写入项目文件。",
    ),
    (
        "OpenStreetMap's tile usage policy forbids bulk downloading from tile.openstreetmap.org (https://operations.osmfoundation.org/policies/tiles/). Use a provider that permits it, such as your own tile server, and mark it as allowing bulk download.",
        "Chính sách sử dụng ô bản đồ của OpenStreetMap cấm tải hàng loạt từ tile.openstreetmap.org (https://operations.osmfoundation.org/policies/tiles/). Hãy dùng nhà cung cấp cho phép điều đó, như máy chủ ô bản đồ của riêng bạn, và đánh dấu là cho phép tải hàng loạt.",
        "OpenStreetMap 的瓦片使用政策禁止从 tile.openstreetmap.org 批量下载（https://operations.osmfoundation.org/policies/tiles/）。请使用允许批量下载的提供方，例如您自己的瓦片服务器，并将其标记为允许批量下载。",
    ),
    (
        "Exports a copy in this format and coordinate system; the layer keeps saving to its own file.",
        "Xuất một bản sao theo định dạng và hệ tọa độ này; lớp vẫn lưu vào tệp của nó.",
        "以此格式和坐标系导出副本；图层仍保存到其自身文件。",
    ),
    (
        "Save them before closing?",
        "Lưu chúng trước khi đóng?",
        "关闭前保存吗？",
    ),
    ("Save all", "Lưu tất cả", "全部保存"),
    ("Discard", "Bỏ", "放弃"),
    ("Closing", "Đang đóng", "正在关闭"),
    (
        "Waiting for the server to confirm the save…",
        "Đang chờ máy chủ xác nhận việc lưu…",
        "正在等待服务器确认保存…",
    ),
    (
        "The layer has unsaved edits: save or undo them first, then decode (or choose Not now and decode when the file is next opened).",
        "Lớp có sửa đổi chưa lưu: hãy lưu hoặc hoàn tác trước, rồi chuyển mã (hoặc chọn Để sau và chuyển mã khi mở tệp lần tới).",
        "图层有未保存的编辑：请先保存或撤销，再转换（或选择“以后再说”，在下次打开文件时转换）。",
    ),
    (
        "Your edits are kept in the recovery journal and will be saved as soon as the connection returns.",
        "Các sửa đổi của bạn được giữ trong nhật ký khôi phục và sẽ được lưu ngay khi có lại kết nối.",
        "您的编辑保存在恢复日志中，连接恢复后会立即保存。",
    ),
    (
        "Your unsaved edits are kept in the recovery journal; keep working, and save when it returns.",
        "Các sửa đổi chưa lưu được giữ trong nhật ký khôi phục; hãy tiếp tục làm việc và lưu khi có lại kết nối.",
        "未保存的编辑保存在恢复日志中；请继续工作，连接恢复后再保存。",
    ),
    (
        "That password was refused: try again.",
        "Mật khẩu đó bị từ chối: hãy thử lại.",
        "密码被拒绝：请重试。",
    ),
    (
        "Kept only while Corridor runs; never written to the project. PGPASSWORD or ~/.pgpass avoid this question.",
        "Chỉ giữ khi Corridor đang chạy; không bao giờ ghi vào dự án. Dùng PGPASSWORD hoặc ~/.pgpass để không bị hỏi.",
        "仅在 Corridor 运行期间保留；绝不写入项目。使用 PGPASSWORD 或 ~/.pgpass 可免去此询问。",
    ),
    (
        "Someone else saved these features after you read them. Nothing of yours was written for them: choose which version to keep. Theirs is drawn dashed in orange.",
        "Người khác đã lưu các đối tượng này sau khi bạn đọc chúng. Chưa có gì của bạn được ghi cho chúng: hãy chọn giữ phiên bản nào. Bản của họ được vẽ nét đứt màu cam.",
        "在您读取这些要素后，其他人保存了它们。您对它们的修改尚未写入：请选择保留哪个版本。对方的版本以橙色虚线绘制。",
    ),
    (
        "This table does not announce changes: other editors' saves appear only after a reload.",
        "Bảng này không thông báo thay đổi: bản lưu của người sửa khác chỉ hiện sau khi tải lại.",
        "此表不发布变更通知：其他编辑者的保存仅在重新载入后显示。",
    ),
    ("Counting features…", "Đang đếm đối tượng…", "正在统计要素…"),
    (
        "Installing the trigger…",
        "Đang cài trigger…",
        "正在安装触发器…",
    ),
    ("Installing the trigger", "Cài trigger", "安装触发器"),
    ("Connecting…", "Đang kết nối…", "正在连接…"),
    (
        "No such recovery",
        "Không có bản khôi phục này",
        "没有此恢复记录",
    ),
    (
        "Restore unsaved edits?",
        "Khôi phục các sửa đổi chưa lưu?",
        "恢复未保存的编辑吗？",
    ),
    (
        "The file has changed since these edits were made; restoring them may put them in the wrong places. Check the result before saving.",
        "Tệp đã thay đổi kể từ khi có các sửa đổi này; khôi phục có thể đặt chúng sai chỗ. Hãy kiểm tra kết quả trước khi lưu.",
        "这些编辑之后文件已更改；恢复它们可能会放错位置。保存前请检查结果。",
    ),
    ("Restore edits", "Khôi phục sửa đổi", "恢复编辑"),
    ("Restore anyway", "Vẫn khôi phục", "仍然恢复"),
    ("Discard edits", "Bỏ các sửa đổi", "放弃编辑"),
    (
        "That file exists: Save replaces it (its previous content is kept as NAME.bak).",
        "Tệp đó đã có: Lưu sẽ thay thế nó (nội dung cũ được giữ thành NAME.bak).",
        "该文件已存在：保存将替换它（原内容保留为 NAME.bak）。",
    ),
    ("Browse…", "Duyệt…", "浏览…"),
    (
        "Restore unsaved project changes?",
        "Khôi phục các thay đổi chưa lưu của dự án?",
        "恢复项目未保存的更改吗？",
    ),
    (
        "Restore project changes",
        "Khôi phục thay đổi của dự án",
        "恢复项目更改",
    ),
    (
        "Discard project changes",
        "Bỏ thay đổi của dự án",
        "放弃项目更改",
    ),
    (
        "The boundary crosses itself, so the area counts the loops against each other: fix the crossing for a true figure.",
        "Đường ranh giới tự cắt nên diện tích tính các vòng trừ lẫn nhau: hãy sửa chỗ cắt để có số đúng.",
        "边界自相交，面积会使各环相互抵消：请修正相交处以得到真实数值。",
    ),
    (
        "A warning only: the feature is kept and saved as drawn.",
        "Chỉ là cảnh báo: đối tượng vẫn được giữ và lưu như đã vẽ.",
        "仅为警告：要素按绘制的样子保留并保存。",
    ),
    (
        "No file dialog is available on this system (it needs xdg-desktop-portal or zenity: `sudo apt-get install zenity`). Drag the file onto the window instead.",
        "Hệ thống này không có hộp thoại tệp (cần xdg-desktop-portal hoặc zenity: `sudo apt-get install zenity`). Hãy kéo tệp vào cửa sổ.",
        "此系统没有可用的文件对话框（需要 xdg-desktop-portal 或 zenity：`sudo apt-get install zenity`）。请将文件拖到窗口中。",
    ),
    (
        "EPSG:32648, or a PROJ string",
        "EPSG:32648, hoặc một chuỗi PROJ",
        "EPSG:32648，或 PROJ 字符串",
    ),
    (
        "layer order and visibility",
        "thứ tự và việc hiện các lớp",
        "图层顺序和可见性",
    ),
    ("styles", "kiểu", "样式"),
    ("bookmarks", "dấu trang", "书签"),
    ("story", "câu chuyện", "演示"),
    ("attribute name", "tên thuộc tính", "属性名"),
    ("of type", "kiểu dữ liệu", "类型"),
    ("Valid geometry", "Hình học hợp lệ", "几何有效"),
    ("Saved {}", "Đã lưu {}", "已保存 {}"),
    ("Saving {}…", "Đang lưu {}…", "正在保存 {}…"),
    (
        "You can go on working; edits made now are saved next time.",
        "Bạn có thể tiếp tục làm việc; các sửa đổi lúc này sẽ được lưu lần sau.",
        "您可以继续工作；现在做的编辑会在下次保存。",
    ),
];

/// Every interface text as (English, Vietnamese, Chinese), for checking the fonts cover them.
pub fn all_texts() -> &'static [(&'static str, &'static str, &'static str)] {
    TEXTS
}

/// The catalogue by English text, built once.
fn catalogue() -> &'static std::collections::HashMap<&'static str, (&'static str, &'static str)> {
    static CATALOGUE: std::sync::OnceLock<
        std::collections::HashMap<&'static str, (&'static str, &'static str)>,
    > = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| TEXTS.iter().map(|(en, vi, zh)| (*en, (*vi, *zh))).collect())
}

/// `en` in the interface language.
pub fn tr(en: &str) -> &str {
    let l = lang();
    if l == Lang::En {
        return en;
    }
    catalogue()
        .get(en)
        .map(|(vi, zh)| if l == Lang::Vi { *vi } else { *zh })
        .unwrap_or(en)
}

/// `en`, a text with `{}` in it, in the interface language, each `{}` filled in turn with one
/// of `args` (the translation keeps them, in the order its language needs them written).
pub fn trf(en: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut parts = tr(en).split("{}");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        out.push_str(part);
    }
    out
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
    fn every_entry_is_translated_once_with_its_blanks() {
        let mut seen = std::collections::HashSet::new();
        for (en, vi, zh) in TEXTS {
            assert!(!vi.is_empty() && !zh.is_empty(), "{en}");
            assert!(seen.insert(*en), "{en} is in the catalogue twice");
            let blanks = en.matches("{}").count();
            assert_eq!(vi.matches("{}").count(), blanks, "{en}: {vi}");
            assert_eq!(zh.matches("{}").count(), blanks, "{en}: {zh}");
        }
    }

    #[test]
    fn blanks_are_filled_in_the_translation() {
        set_lang(Lang::Vi);
        assert_eq!(trf("{} of {} features", &[&3, &6]), "3 / 6 đối tượng");
        set_lang(Lang::En);
        assert_eq!(trf("{} of {} features", &[&3, &6]), "3 of 6 features");
        assert_eq!(trf("not in the table {}", &[&1]), "not in the table 1");
    }
}
