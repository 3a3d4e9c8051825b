// Chinese first, English on the switch; the choice is kept in this browser.
const texts = {
  zh: {
    title: '社保卡发卡中心', 'nav.dashboard': '总览', 'nav.application': '申请查询',
    'nav.counter': '网点柜台', sign_out: '退出', 'sign_in.title': '登录',
    'sign_in.token': '访问令牌', 'sign_in.clerk': '经办人', 'sign_in.submit': '登录',
    'sign_in.bad': '令牌无效、已撤销或已过期', 'sign_in.no_pages': '此角色没有可用页面：',
    states: '各状态申请数', state: '状态', count: '数量', issued: '已发卡',
    per_hour: '每小时发卡（近24小时）', lines: '生产线', line: '生产线', slot: '卡槽',
    reader: '读卡器', printer: '打印机', hopper: '料仓（批次：剩余）', activity: '活动', paused: '已暂停', running: '运行中',
    made: '已制卡', spoiled: '废卡', cards_per_hour: '卡/小时', pause: '暂停', resume: '恢复',
    spoilage: '废卡原因', reason: '原因', stock: '空白卡库存', lot: '批次', received: '入库',
    used: '已用', left: '剩余', outbox: '待推送状态', bureau: '社保局连接',
    refreshed: '更新于', search: '查询', 'search.hint': '申请编号、卡号或身份证号后几位',
    none_found: '未找到', application: '申请', card_number: '卡号', collection: '领卡方式',
    branch: '网点', history: '状态历史', face: '卡面', front: '正面', back: '背面',
    shipment: '邮寄', tracking: '运单号', courier_events: '快递事件', no_shipment: '尚未寄出',
    waiting: '待领取的卡', ready_since: '到达时间', name: '姓名', id_number: '身份证号',
    'receipt.title': '确认收到一批卡', 'receipt.ids': '申请编号（每行一个）',
    'receipt.submit': '确认收到', outcome: '结果', hand_over: '交付',
    'hand_over.title': '交付卡片', 'hand_over.id': '请输入持卡人完整身份证号',
    'hand_over.submit': '确认交付', 'hand_over.done': '已交付', 'hand_over.print': '打印回执',
    'hand_over.receipt': '领卡回执', 'hand_over.mismatch': '身份证号与持卡人不符，不能交付（已记录）',
    clerk: '经办人', at: '时间', pick: '选择', 'clerk.missing': '请先在登录时填写经办人',
    refresh: '刷新',
  },
  en: {
    title: 'Social security card centre', 'nav.dashboard': 'Dashboard',
    'nav.application': 'Applications', 'nav.counter': 'Branch counter', sign_out: 'Sign out',
    'sign_in.title': 'Sign in', 'sign_in.token': 'Access token', 'sign_in.clerk': 'Clerk',
    'sign_in.submit': 'Sign in', 'sign_in.bad': 'The token is unknown, revoked or expired',
    'sign_in.no_pages': 'No pages for this role: ', states: 'Applications by state',
    state: 'State', count: 'Count', issued: 'Cards issued', per_hour: 'Cards per hour (last 24 h)',
    lines: 'Production lines', line: 'Line', slot: 'Slot', reader: 'Reader', printer: 'Printer', hopper: 'Hopper (lot: left)', activity: 'Activity',
    paused: 'paused', running: 'running', made: 'Made', spoiled: 'Spoiled',
    cards_per_hour: 'Cards/h', pause: 'Pause', resume: 'Resume', spoilage: 'Spoilage by reason',
    reason: 'Reason', stock: 'Blank-card stock', lot: 'Lot', received: 'Received', used: 'Used',
    left: 'Left', outbox: 'Status changes not yet pushed', bureau: 'Bureau',
    refreshed: 'Refreshed at', search: 'Search',
    'search.hint': 'Application id, card number or last digits of the ID number',
    none_found: 'Nothing found', application: 'Application', card_number: 'Card number',
    collection: 'Collection', branch: 'Branch', history: 'History', face: 'Card face',
    front: 'Front', back: 'Back', shipment: 'Shipment', tracking: 'Tracking number',
    courier_events: 'Courier events', no_shipment: 'Not shipped yet', waiting: 'Cards waiting',
    ready_since: 'Ready since', name: 'Name', id_number: 'ID number',
    'receipt.title': 'Confirm a delivery batch', 'receipt.ids': 'Application ids (one per line)',
    'receipt.submit': 'Confirm receipt', outcome: 'Outcome', hand_over: 'Hand over',
    'hand_over.title': 'Hand over a card', 'hand_over.id': "Type the holder's full ID number",
    'hand_over.submit': 'Confirm hand-over', 'hand_over.done': 'Handed over',
    'hand_over.print': 'Print receipt', 'hand_over.receipt': 'Collection receipt',
    'hand_over.mismatch': "The ID number is not the holder's: the card is not handed over (recorded)",
    clerk: 'Clerk', at: 'At', pick: 'Select', 'clerk.missing': 'Enter the clerk name at sign-in first',
    refresh: 'Refresh',
  },
};

let language = localStorage.getItem('cardd.lang') === 'en' ? 'en' : 'zh';

export function t(key) {
  return texts[language][key] ?? key;
}

export function currentLanguage() {
  return language;
}

// Every [data-i18n] element of the page in the current language.
export function translatePage() {
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  document.getElementById('lang').textContent = language === 'zh' ? 'English' : '中文';
}

export function switchLanguage() {
  language = language === 'zh' ? 'en' : 'zh';
  localStorage.setItem('cardd.lang', language);
  translatePage();
}
