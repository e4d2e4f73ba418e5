// The one translation table of the client. Every user-visible string goes
// through t(key, params). Vietnamese is the default; English second.
// DOM-free when imported in node (localStorage/document are optional).

const STORAGE_KEY = 'ecabinet.lang';

export const vi = {
  'app.name': 'eCabinet',
  'app.subtitle': 'Hệ thống phòng họp không giấy',
  'app.loading': 'Đang tải…',

  'lang.switch': 'English',
  'lang.switchLabel': 'Chuyển sang tiếng Anh',

  'nav.main': 'Điều hướng chính',
  'nav.home': 'Trang chủ',
  'nav.admin': 'Quản trị',
  'nav.units': 'Đơn vị',
  'nav.users': 'Người dùng',
  'nav.import': 'Nhập từ CSV',
  'nav.logout': 'Đăng xuất',

  'login.title': 'Đăng nhập',
  'login.username': 'Tên đăng nhập',
  'login.password': 'Mật khẩu',
  'login.submit': 'Đăng nhập',
  'login.submitting': 'Đang đăng nhập…',

  'home.title': 'Trang chủ',
  'home.welcome': 'Xin chào, {name}',
  'home.upcoming': 'Cuộc họp sắp tới',
  'home.noMeetings': 'Chưa có cuộc họp nào sắp tới',

  'common.name': 'Tên',
  'common.code': 'Mã',
  'common.kind': 'Loại',
  'common.status': 'Trạng thái',
  'common.actions': 'Thao tác',
  'common.active': 'Đang hoạt động',
  'common.disabled': 'Đã khóa',
  'common.edit': 'Sửa',
  'common.disable': 'Khóa',
  'common.enable': 'Mở khóa',
  'common.save': 'Lưu',
  'common.saving': 'Đang lưu…',
  'common.cancel': 'Hủy',
  'common.close': 'Đóng',
  'common.copy': 'Sao chép',
  'common.copied': 'Đã sao chép',
  'common.search': 'Tìm kiếm',
  'common.none': '—',

  'units.title': 'Đơn vị',
  'units.create': 'Thêm đơn vị',
  'units.addChild': 'Thêm đơn vị con',
  'units.editTitle': 'Sửa đơn vị',
  'units.createTitle': 'Thêm đơn vị',
  'units.codeHint': 'Chữ thường không dấu, chữ số và . _ -, ví dụ: xa-vinh-hanh',
  'units.parent': 'Đơn vị cấp trên',
  'units.noParent': '(Không có — cấp cao nhất)',
  'units.empty': 'Chưa có đơn vị nào',
  'units.count': '{count} đơn vị',

  'kind.host': 'Đơn vị chủ trì',
  'kind.commune': 'Xã/Thị trấn',
  'kind.ward': 'Phường',
  'kind.department': 'Phòng ban',
  'kind.other': 'Khác',

  'role.admin': 'Quản trị viên',
  'role.secretary': 'Thư ký',
  'role.chair': 'Chủ trì/Chủ tịch',
  'role.delegate': 'Đại biểu',
  'role.site': 'Điểm cầu xã',

  'users.title': 'Người dùng',
  'users.create': 'Thêm người dùng',
  'users.createTitle': 'Thêm người dùng',
  'users.editTitle': 'Sửa người dùng',
  'users.username': 'Tên đăng nhập',
  'users.usernameHint': 'Chữ thường không dấu, chữ số và . _ -, ví dụ: nguyen.van.an',
  'users.fullName': 'Họ và tên',
  'users.unit': 'Đơn vị',
  'users.roles': 'Vai trò',
  'users.email': 'Thư điện tử',
  'users.jobTitle': 'Chức vụ',
  'users.filterUnit': 'Lọc theo đơn vị',
  'users.allUnits': 'Tất cả đơn vị',
  'users.searchPlaceholder': 'Tên đăng nhập, họ tên…',
  'users.chooseUnit': '— Chọn đơn vị —',
  'users.resetPassword': 'Đặt lại mật khẩu',
  'users.empty': 'Không tìm thấy người dùng nào',
  'users.count': '{count} người dùng',

  'password.createdTitle': 'Đã tạo tài khoản',
  'password.resetTitle': 'Đã đặt lại mật khẩu',
  'password.forUser': 'Mật khẩu của tài khoản {username}:',
  'password.onceNote': 'Mật khẩu chỉ hiển thị một lần. Hãy ghi lại và trao cho người dùng.',

  'import.title': 'Nhập từ CSV',
  'import.intro': 'Chọn tệp CSV (mã hóa UTF-8, dòng đầu là tên cột). Nếu có dòng lỗi, không tài khoản nào được tạo.',
  'import.columns': 'Các cột cần có:',
  'import.rolesNote': 'Nhiều vai trò cách nhau bằng dấu chấm phẩy (;), ví dụ: delegate;site. Để trống cột password thì hệ thống tự tạo mật khẩu.',
  'import.roleCodes': 'Mã vai trò:',
  'import.template': 'Tải tệp mẫu (chỉ có dòng tiêu đề)',
  'import.file': 'Tệp CSV',
  'import.submit': 'Tải lên và nhập',
  'import.submitting': 'Đang nhập…',
  'import.created': 'Đã tạo {count} tài khoản.',
  'import.passwordsNote': 'Mật khẩu dưới đây chỉ hiển thị một lần.',
  'import.failed': 'Không tài khoản nào được tạo. Hãy sửa các dòng lỗi rồi nhập lại.',
  'import.row': 'Dòng',
  'import.messages': 'Lỗi',

  'forbidden.title': 'Không có quyền truy cập',
  'forbidden.text': 'Bạn không có quyền xem trang này. Hãy liên hệ quản trị viên nếu cần.',
  'notFound.title': 'Không tìm thấy trang',
  'notFound.text': 'Trang bạn tìm không tồn tại.',
  'notFound.back': 'Về trang chủ',

  'error.network': 'Không kết nối được máy chủ. Hãy kiểm tra mạng và thử lại.',
  'error.http': 'Máy chủ báo lỗi (mã {status}).',
};

export const en = {
  'app.name': 'eCabinet',
  'app.subtitle': 'Paperless meeting system',
  'app.loading': 'Loading…',

  'lang.switch': 'Tiếng Việt',
  'lang.switchLabel': 'Switch to Vietnamese',

  'nav.main': 'Main navigation',
  'nav.home': 'Home',
  'nav.admin': 'Administration',
  'nav.units': 'Units',
  'nav.users': 'Users',
  'nav.import': 'Import from CSV',
  'nav.logout': 'Log out',

  'login.title': 'Log in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.submitting': 'Logging in…',

  'home.title': 'Home',
  'home.welcome': 'Welcome, {name}',
  'home.upcoming': 'My upcoming meetings',
  'home.noMeetings': 'No upcoming meetings',

  'common.name': 'Name',
  'common.code': 'Code',
  'common.kind': 'Kind',
  'common.status': 'Status',
  'common.actions': 'Actions',
  'common.active': 'Active',
  'common.disabled': 'Disabled',
  'common.edit': 'Edit',
  'common.disable': 'Disable',
  'common.enable': 'Enable',
  'common.save': 'Save',
  'common.saving': 'Saving…',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.search': 'Search',
  'common.none': '—',

  'units.title': 'Units',
  'units.create': 'Add unit',
  'units.addChild': 'Add sub-unit',
  'units.editTitle': 'Edit unit',
  'units.createTitle': 'Add unit',
  'units.codeHint': 'Lower-case letters without accents, digits and . _ -, e.g. xa-vinh-hanh',
  'units.parent': 'Parent unit',
  'units.noParent': '(None — top level)',
  'units.empty': 'No units yet',
  'units.count': '{count} units',

  'kind.host': 'Host unit',
  'kind.commune': 'Commune/Township',
  'kind.ward': 'Ward',
  'kind.department': 'Department',
  'kind.other': 'Other',

  'role.admin': 'Administrator',
  'role.secretary': 'Secretary',
  'role.chair': 'Chair',
  'role.delegate': 'Delegate',
  'role.site': 'Commune site',

  'users.title': 'Users',
  'users.create': 'Add user',
  'users.createTitle': 'Add user',
  'users.editTitle': 'Edit user',
  'users.username': 'Username',
  'users.usernameHint': 'Lower-case letters without accents, digits and . _ -, e.g. nguyen.van.an',
  'users.fullName': 'Full name',
  'users.unit': 'Unit',
  'users.roles': 'Roles',
  'users.email': 'Email',
  'users.jobTitle': 'Job title',
  'users.filterUnit': 'Filter by unit',
  'users.allUnits': 'All units',
  'users.searchPlaceholder': 'Username, full name…',
  'users.chooseUnit': '— Choose a unit —',
  'users.resetPassword': 'Reset password',
  'users.empty': 'No users found',
  'users.count': '{count} users',

  'password.createdTitle': 'Account created',
  'password.resetTitle': 'Password reset',
  'password.forUser': 'Password for account {username}:',
  'password.onceNote': 'This password is shown only once. Write it down and hand it to the user.',

  'import.title': 'Import from CSV',
  'import.intro': 'Choose a CSV file (UTF-8, first line holds the column names). If any row has an error, no account is created.',
  'import.columns': 'Expected columns:',
  'import.rolesNote': 'Separate several roles with a semicolon (;), e.g. delegate;site. Leave password empty to have one generated.',
  'import.roleCodes': 'Role codes:',
  'import.template': 'Download a template (header line only)',
  'import.file': 'CSV file',
  'import.submit': 'Upload and import',
  'import.submitting': 'Importing…',
  'import.created': 'Created {count} accounts.',
  'import.passwordsNote': 'The passwords below are shown only once.',
  'import.failed': 'No account was created. Fix the rows below and import again.',
  'import.row': 'Row',
  'import.messages': 'Errors',

  'forbidden.title': 'No permission',
  'forbidden.text': 'You do not have permission to view this page. Contact an administrator if you need access.',
  'notFound.title': 'Page not found',
  'notFound.text': 'The page you are looking for does not exist.',
  'notFound.back': 'Back to home',

  'error.network': 'Cannot reach the server. Check the network and try again.',
  'error.http': 'The server reported an error (code {status}).',
};

export const tables = { vi, en };
export const LANGUAGES = Object.keys(tables);

const listeners = new Set();
let current = readStoredLang();

function readStoredLang() {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (stored && stored in tables) return stored;
  } catch {
    // storage unavailable (node, privacy mode): fall back to the default
  }
  return 'vi';
}

function applyToDocument(lang) {
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

/** @returns {'vi'|'en'} the current language */
export function getLang() {
  return current;
}

/** Switch language, remember it and notify subscribers. */
export function setLang(lang) {
  if (!(lang in tables) || lang === current) return;
  current = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; still switched for this page
  }
  applyToDocument(lang);
  listeners.forEach((fn) => fn(lang));
}

/** The other language (vi ↔ en). */
export function otherLang() {
  return current === 'vi' ? 'en' : 'vi';
}

/** Subscribe to language changes; returns an unsubscribe function. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Translate a key; `{name}` placeholders are replaced from params.
 * Unknown keys fall back to Vietnamese, then to the key itself.
 */
export function t(key, params) {
  const text = tables[current][key] ?? vi[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

applyToDocument(current);
