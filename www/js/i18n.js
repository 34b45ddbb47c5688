// Every label the page shows, in English and Chinese, plus a tiny template
// filler. Static labels live in index.html as data-i18n="key" (textContent)
// or data-i18n-attr="attr:key;attr:key"; views call t() while they draw.

const en = {
  pageTitle: 'Glasswing: see what a tiny language model computes',
  tagline: 'See what a tiny language model computes',
  langGroup: 'Language',
  model: 'Model',
  shipped: 'Shipped models',
  yours: 'Your models',
  yourFile: 'Your file: {name}',
  openOwn: 'Open your own…',
  dropHint: 'or drop a .safetensors file (with its config.json) onto the page',
  dropHere: 'Drop a .safetensors file (and its config.json) to open it',
  loading: 'Loading…',
  text: 'Input text',
  ids: 'Token ids',
  textHint: 'Type to retrace: every change runs the model again, here in your browser.',
  idsHint: 'This model has no vocabulary: type token ids separated by commas (0 to {max}).',
  arch: 'Architecture',
  params: 'Parameters',
  layers: 'Layers',
  heads: 'Heads',
  embd: 'Width',
  hiddenSize: 'Hidden size',
  vocab: 'Vocabulary',
  maxLen: 'Max length',
  tokensTitle: 'Tokens',
  tokensHint: 'Hover a token to follow its attention in every view; click one to choose the position for the next-token bars.',
  tokensHintRnn: 'Hover a token to find its step in every view; click one to choose the position for the next-token bars.',
  legendAttendsTo: 'shaded: what it attends to',
  legendAttendedBy: 'underlined: what attends to it',
  headView: 'Head view',
  headViewHint: 'Lines join each token (left) to the tokens it attends to (right). One colour per head; a darker line means more attention.',
  headsGrouped: 'Long input: lines join groups of {b} neighbouring tokens (each group row still sums to 1). Hover a token for its exact lines.',
  layer: 'Layer',
  head: 'Head',
  layerN: 'Layer {n}',
  headN: 'Head {n}',
  layerHead: 'Layer {l}, head {h}',
  matrix: 'Attention matrix',
  matrixHint: 'Row: the token that looks (query). Column: the token it looks at (key). Each row sums to 1; the grey triangle is the future, which a causal model cannot see.',
  weight: 'attention weight',
  cellReadout: '“{q}” (position {i}) → “{k}” (position {j}): {w}',
  modelView: 'All heads',
  modelViewHint: 'Every layer and head at a glance. Click one to focus it above.',
  hidden: 'Hidden state',
  hiddenHint: 'One row per step, one column per hidden unit; blue is negative, red is positive. Each step mixes the new input with the row above it.',
  hiddenLayer: 'Layer {n}: {t} steps × {d} units',
  unit: 'unit',
  hiddenReadout: 'Step {i} “{tok}”, unit {u}: {v}',
  bars: 'Next token',
  barsAfter: 'After “{tok}” (position {n}) the model predicts:',
  topK: 'Top k',
  other: 'other {n} tokens',
  entropy: 'Entropy',
  entropyValue: '{nats} nats = {bits} bits',
  uniform: 'A uniform distribution over all {v} tokens has {nats} nats.',
  actualNext: 'The actual next token “{tok}” gets p = {p}, rank {r} of {v}.',
  actual: 'next',
  position: 'position {n}',
  loadFailed: 'Could not open {name}: {msg}',
  engineFailed: 'The model engine could not start: {msg}',
  needSafetensors: 'Choose a .safetensors file; a config.json alone is not a model.',
  badIds: 'Token ids are whole numbers separated by commas; “{s}” is not one.',
  traceFailed: '{msg}',
  // Sharing, embedding and exports (js/share/, glasswing-view.js, embed.html)
  share: 'Share & export',
  shareLink: 'Link to this view',
  copyLink: 'Copy link',
  copy: 'Copy',
  copied: 'Copied to the clipboard.',
  copyManual: 'The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.',
  linkUserModel: 'This model came from your own file, which cannot travel in a link: the link keeps the text and the view but opens the first shipped model.',
  linkNoModel: 'The link asks for a model that is not here ({name}), so another one is shown.',
  linkBad: 'Parts of the link could not be read and were left out: {fields}.',
  dismiss: 'Dismiss',
  exportTitle: 'Export',
  exportView: 'View',
  exportPng: 'PNG image',
  exportSvg: 'SVG (vector)',
  exportHtml: 'Interactive HTML',
  exportJson: 'Trace as JSON',
  exportHint: 'PNG and SVG show the chosen view. The HTML file holds the whole trace, opens offline in any browser and stays interactive.',
  exporting: 'Preparing {name}…',
  exported: 'Saved {name}.',
  exportFailed: 'Could not export: {msg}',
  embedTitle: 'Embed in a page',
  embedIframe: 'As an iframe',
  embedElement: 'As an element (one script tag)',
  embedHint: 'Both load Glasswing’s files from this site: copy this folder next to your page, or serve the page from here.',
  openExplorer: 'Open in Glasswing',
  embedLoading: 'Loading the model…',
  embedNoView: 'This model has no {view}; showing {other} instead.',
  embedNoModel: 'No model chosen: set the model attribute to a file in the models folder.',
  embedLabel: '{view}: {model}',
  footer: 'Everything runs in your browser with WebAssembly; your files never leave this computer.',
};

const zh = {
  pageTitle: 'Glasswing：看清小型语言模型的每一步计算',
  tagline: '看清小型语言模型内部的每一步计算',
  langGroup: '语言',
  model: '模型',
  shipped: '内置模型',
  yours: '你的模型',
  yourFile: '你的文件：{name}',
  openOwn: '打开自己的模型…',
  dropHint: '也可以把 .safetensors 文件（连同 config.json）拖到页面上',
  dropHere: '松开鼠标，打开这个 .safetensors 文件（及其 config.json）',
  loading: '加载中…',
  text: '输入文本',
  ids: '词元 ID',
  textHint: '边输入边计算：每次修改都会在你的浏览器里重新运行一遍模型。',
  idsHint: '这个模型没有词表：请输入用逗号分隔的词元 ID（0 到 {max}）。',
  arch: '架构',
  params: '参数量',
  layers: '层数',
  heads: '头数',
  embd: '宽度',
  hiddenSize: '隐藏维度',
  vocab: '词表大小',
  maxLen: '最大长度',
  tokensTitle: '词元',
  tokensHint: '把鼠标移到某个词元上，所有视图都会显示它的注意力；点击词元，可以选定下一个词元概率所对应的位置。',
  tokensHintRnn: '把鼠标移到某个词元上，所有视图都会标出它对应的时间步；点击词元，可以选定下一个词元概率所对应的位置。',
  legendAttendsTo: '底色：它关注的词元',
  legendAttendedBy: '下划线：关注它的词元',
  headView: '注意力头视图',
  headViewHint: '每条线把左边的词元连到它所关注的右边词元。每种颜色代表一个注意力头，线条越深，注意力越强。',
  headsGrouped: '输入较长：每条线连接的是相邻 {b} 个词元组成的一组（每组的注意力之和仍为 1）。把鼠标移到某个词元上，可以看到它的精确连线。',
  layer: '层',
  head: '头',
  layerN: '第 {n} 层',
  headN: '头 {n}',
  layerHead: '第 {l} 层 · 头 {h}',
  matrix: '注意力矩阵',
  matrixHint: '行是发出注意的词元（查询），列是被关注的词元（键）。每一行加起来等于 1；灰色三角代表“未来”，因果模型看不到。',
  weight: '注意力权重',
  cellReadout: '“{q}”（位置 {i}）→“{k}”（位置 {j}）：{w}',
  modelView: '全部注意力头',
  modelViewHint: '一眼看遍每一层的每一个头。点击缩略图，就能在上方放大查看。',
  hidden: '隐藏状态',
  hiddenHint: '每一行是一个时间步，每一列是一个隐藏单元；蓝色为负，红色为正。每一步都把新的输入和上一行的状态混合在一起。',
  hiddenLayer: '第 {n} 层：{t} 步 × {d} 个单元',
  unit: '单元',
  hiddenReadout: '第 {i} 步“{tok}”，单元 {u}：{v}',
  bars: '下一个词元',
  barsAfter: '在“{tok}”（位置 {n}）之后，模型预测：',
  topK: '显示前 k 个',
  other: '其余 {n} 个词元',
  entropy: '熵',
  entropyValue: '{nats} 纳特 = {bits} 比特',
  uniform: '均匀分布（{v} 个词元可能性相同）的熵为 {nats} 纳特。',
  actualNext: '实际的下一个词元“{tok}”概率为 {p}，在 {v} 个中排第 {r}。',
  actual: '实际',
  position: '位置 {n}',
  loadFailed: '无法打开 {name}：{msg}',
  engineFailed: '模型引擎无法启动：{msg}',
  needSafetensors: '请选择一个 .safetensors 文件；单独的 config.json 不是模型。',
  badIds: '词元 ID 应是用逗号分隔的整数，“{s}”不是。',
  traceFailed: '{msg}',
  // ---- 分享、嵌入与导出（js/share/、glasswing-view.js、embed.html）----
  share: '分享与导出',
  shareLink: '这个视图的链接',
  copyLink: '复制链接',
  copy: '复制',
  copied: '已复制到剪贴板。',
  copyManual: '文字已选中：按 Ctrl+C（Mac 上按 ⌘C）即可复制。',
  linkUserModel: '这个模型来自你自己的文件，无法放进链接：链接会保留文本和视图，但打开的是第一个内置模型。',
  linkNoModel: '链接指定的模型（{name}）不在这里，所以显示的是另一个模型。',
  linkBad: '链接里有几项无法识别，已忽略：{fields}。',
  dismiss: '关闭',
  exportTitle: '导出',
  exportView: '视图',
  exportPng: 'PNG 图片',
  exportSvg: 'SVG 矢量图',
  exportHtml: '可交互的 HTML',
  exportJson: '追踪数据（JSON）',
  exportHint: 'PNG 和 SVG 导出所选的视图。HTML 文件包含完整的追踪数据，在任何浏览器里离线打开都能继续交互。',
  exporting: '正在生成 {name}…',
  exported: '已保存 {name}。',
  exportFailed: '导出失败：{msg}',
  embedTitle: '嵌入网页',
  embedIframe: '用 iframe 嵌入',
  embedElement: '用自定义元素嵌入（只需一个 script 标签）',
  embedHint: '两种方式都会从本站加载 Glasswing 的文件：把这个文件夹复制到你的网页旁边，或者让网页也放在这个站点上。',
  openExplorer: '在 Glasswing 中打开',
  embedLoading: '正在加载模型…',
  embedNoView: '这个模型没有“{view}”，改为显示“{other}”。',
  embedNoModel: '还没有指定模型：请把 model 属性设为 models 文件夹里的一个文件。',
  embedLabel: '{view}：{model}',
  footer: '所有计算都通过 WebAssembly 在你的浏览器里完成，文件不会离开你的电脑。',
};

export const DICTS = { en, zh };
export const LANGS = ['en', 'zh'];

let current = 'en';

export function setLang(lang) { current = LANGS.includes(lang) ? lang : 'en'; }
export function getLang() { return current; }

/** The label for `key` in the current language, with {name} slots filled. */
export function t(key, vars = {}) {
  const template = DICTS[current][key] ?? DICTS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Fills the static labels under `root` (data-i18n and data-i18n-attr). */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.title = t('pageTitle');
}

// The core's errors are English sentences with a fixed shape; in Chinese mode
// the common ones are retold, anything else is shown as it came.
const ZH_ERRORS = [
  [/^unknown character '(.+)' \(U\+([0-9A-Fa-f]+)\) at position (\d+): not in the model's vocabulary$/,
    (m) => `第 ${m[3]} 个位置的字符“${m[1]}”（U+${m[2]}）不在模型的词表里`],
  [/^sequence of (\d+) tokens is longer than the model's maximum of (\d+)$/,
    (m) => `输入有 ${m[1]} 个词元，超过了模型的上限 ${m[2]} 个`],
  [/^empty input/, () => '输入为空：请至少输入一个词元'],
  [/^token id (\d+) at position (\d+) is out of range: the vocabulary has (\d+) tokens$/,
    (m) => `第 ${m[2]} 个位置的词元 ID ${m[1]} 超出范围：词表只有 ${m[3]} 个词元`],
  [/^not a valid safetensors file: (.*)$/, (m) => `不是有效的 safetensors 文件（${m[1]}）`],
  [/^missing tensor `(.+)`$/, (m) => `缺少张量 \`${m[1]}\``],
  [/^tensor `(.+)` has shape (.+), expected (.+)$/, (m) => `张量 \`${m[1]}\` 的形状是 ${m[2]}，应为 ${m[3]}`],
  [/^config: (.*)$/, (m) => `配置有误：${m[1]}`],
];

export function translateError(msg) {
  if (current !== 'zh') return msg;
  for (const [re, fn] of ZH_ERRORS) {
    const m = re.exec(msg);
    if (m) return fn(m);
  }
  return msg;
}
