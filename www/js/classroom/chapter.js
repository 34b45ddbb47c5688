// The guided lesson: the chapter in /work/shared/CHAPTER.md (how ChatGPT-style
// models work) taught with the shipped models, live. Each step says what to
// look at (prose, in English and Chinese: written for each language, not
// translated word for word), how to set the page up (model, text, layer,
// head, position, sampler), what to highlight, and which live exhibit to
// show in the lesson panel (exhibits.js). `backticks` in prose are formulas.
//
// Every number and every model-dependent word the prose states is a fact:
// `facts(ask)` traces the step's texts with the shipped models when the step
// opens and returns them; the prose names them `{name}` (as is) or `{p:name}`
// (a percentage). Positions, layers and heads in facts count from 1, as
// everywhere people read them; names starting with `_` are 0-based indices
// for the page set-up (`setup` values may be functions of the facts). The
// only numbers typed into the prose are the chapter's own, listed per step in
// `quoted` (tests/e2e/lesson-facts.test.mjs recomputes every fact from the
// models and checks that every number in every step is one or the other).
//
// Models: chapter-rnn (the chapter's nn.RNN(32, 64)) and chapter-gpt (2
// layers x 4 heads) learned the chapter's sentences (src/train/tasks.rs,
// task `chapter`): 我爱你。, 我爱你，你也爱我。 and 我喜欢在深夜的星空下伴随着
// 月亮轻轻地想你。 with variants.

import { headOn, indexOf, probOf, strongest, topAt } from './facts.js';

const CH_RNN = 'chapter-rnn.safetensors';
const CH_GPT = 'chapter-gpt.safetensors';

/** The chapter's multi-head example sentence. */
export const STARRY = '我喜欢在深夜的星空下伴随着月亮轻轻地想你';

/** The temperatures of the sampling step's table (exhibits.js reads them too). */
export const TEMPERATURES = [0.5, 1, 2];
export const TOP_K = 3;

/**
 * The four heads of the multi-head step, each where it matters in STARRY:
 * at `at`, the head that looks most at `to`; `next` is what the model then
 * predicts (or, with `not`, what it rules out).
 */
export const HEAD_JOBS = [
  { id: 'speaker', at: '想', to: '我', next: '你' },
  { id: 'before', at: '夜', to: '深', next: '的' },
  { id: 'named', at: '着', to: '星', next: '月' },
  { id: 'after', at: '亮', to: '伴', not: '下' },
];

/** Where each job's head looks in `trace` (of STARRY): [{l, h, i, j, w, p}] (0-based). */
export function headJobs(trace, info) {
  return HEAD_JOBS.map((job) => {
    const i = indexOf(STARRY, job.at);
    const j = indexOf(STARRY, job.to);
    const { l, h, w } = headOn(trace, i, j);
    return { ...job, l, h, i, j, w, p: probOf(trace, info, i, job.next ?? job.not) };
  });
}

export const STEPS = [
  {
    id: 'ids',
    setup: { model: CH_RNN, text: '我爱你。', pos: null },
    target: ['.tokens-panel'],
    focus: ['#tokens'],
    exhibit: 'ids',
    async facts(ask) {
      const tr = await ask.trace('我爱你。');
      const pairs = tr.tokens.map((c, k) => `${c} → ${tr.ids[k]}`);
      return { n: tr.ids.length, V: (await ask.info()).vocab.length, ids: { en: pairs.join(', '), zh: pairs.join('、') } };
    },
    // The chapter's own numbering of 我爱你。
    quoted: ['1', '2', '3', '0'],
    title: { en: 'Text becomes numbers', zh: '文字先变成数字' },
    body: {
      en: `A computer cannot read 我爱你。 as it is. The first thing a language model does is look every character up in its vocabulary and replace it with that entry's number: its id. In these small models every character is one token.

{n} characters, {n} ids: this panel lists them, straight from the model on the page. The chapter numbers them 我 → 1, 爱 → 2, 你 → 3, 。 → 0; this model's vocabulary has {V} tokens, and it numbers them {ids}. The numbers mean nothing in themselves. What matters is that the same character always gets the same one.`,
      zh: `计算机没法直接读懂「我爱你。」。语言模型做的第一件事，是在词表里查出每个字，把它换成一个编号，也就是它的 ID。在这些小模型里，一个字就是一个词元（token）。

{n} 个字，{n} 个 ID：面板里列出的，就是页面上这个模型实际用的编号。书里的例子把它们编成 我 → 1、爱 → 2、你 → 3、。→ 0；这个模型的词表有 {V} 个词元，它的编号是 {ids}。编号本身没有任何含义，要紧的是同一个字每次都得到同一个编号。`,
    },
  },
  {
    id: 'bag',
    setup: { model: CH_RNN, text: '我爱你，', pos: null },
    target: ['#bars-panel', '.tokens-panel'],
    focus: ['#tokens', '#bars-panel .bars > li:nth-child(-n+3)'],
    exhibit: 'bag',
    texts: ['我爱你，', '你爱我，'],
    async facts(ask) {
      const info = await ask.info();
      const [a, b] = await Promise.all(['我爱你，', '你爱我，'].map(async (s) => topAt(await ask.trace(s), info, 3, 1)[0]));
      return { a: a.tok, pa: a.p, b: b.tok, pb: b.p };
    },
    title: { en: 'A bag of words forgets the order', zh: '词袋模型记不住顺序' },
    body: {
      en: `Count the characters in 我爱你， and in 你爱我，: the same characters, each once. A bag of words keeps only these counts, so to it the sentences are the same, although in one I love you and in the other you love me.

A language model reads in order. This RNN learned a small made-up language with sentences like 我爱你，你也爱我。 After 我爱你， it expects {a} ({p:pa}); after 你爱我， it expects {b} ({p:pb}). Switch between them with the buttons in this panel: the counts stay, the bars change.`,
      zh: `数一数「我爱你，」和「你爱我，」里的字：用的字完全一样，每个字都只出现一次。词袋模型只记这些次数，在它眼里这两句没有区别，可一句是我爱你，一句是你爱我。

语言模型按顺序读词元。这个 RNN 学过一种自编的小语言，里面有「我爱你，你也爱我。」这样的句子。读完「我爱你，」，它预测下一个字是“{a}”（{p:pa}）；读完「你爱我，」，它预测“{b}”（{p:pb}）。用面板里的按钮在两句之间切换：字的次数不变，概率条却变了。`,
    },
  },
  {
    id: 'lm',
    setup: { model: CH_RNN, text: '我爱你。', pos: 1 },
    target: ['#bars-panel'],
    focus: ['#bars-panel .bars > li:nth-child(-n+4)'],
    exhibit: 'softmax',
    async facts(ask) {
      const info = await ask.info();
      const tr = await ask.trace('我爱你。');
      const [t1, t2, t3] = topAt(tr, info, 1, 3);
      return { V: info.vocab.length, t1: t1.tok, p1: t1.p, t2: t2.tok, p2: t2.p, t3: t3.tok, p3: t3.p, pme: probOf(tr, info, 1, '我') };
    },
    quoted: ['1'], // probabilities add up to 1
    title: { en: 'A language model: a probability for every token', zh: '语言模型：给每个词元一个概率' },
    body: {
      en: `A language model takes text in and answers with a probability for every token in its vocabulary: how likely each one is to come next. Writing is only this, repeated: pick a token, append it, ask again.

The bars show the likeliest tokens after the selected position, 爱. This model gives {t1} {p:p1}, {t2} {p:p2} and {t3} {p:p3}, and 我 only {p:pme}: in the language it learned, nobody says 我爱我. All {V} probabilities are positive and add up to 1.`,
      zh: `语言模型读入一段文字，然后给词表里的每个词元一个概率：它接下来出现的可能性有多大。写文章不过是把这件事反复做：选一个词元，接到后面，再问一次。

概率条列出的是所选位置“爱”之后最可能出现的词元。这个模型给“{t1}” {p:p1}，“{t2}” {p:p2}，“{t3}” {p:p3}，给“我”只有 {p:pme}：在它学过的语言里，没有人说“我爱我”。全部 {V} 个概率都是正数，加起来等于 1。`,
    },
  },
  {
    id: 'rnn',
    setup: { model: CH_RNN, text: '我爱你。', pos: 0 },
    target: ['#hidden-panel', '#bars-panel'],
    focus: ['#hidden-panel .hidden-layer canvas', '#bars-panel .bars > li:nth-child(-n+3)'],
    exhibit: 'rows',
    async facts(ask) {
      const { config, vocab } = await ask.info();
      return { E: config.embed_dim, Hd: config.hidden_size, T: (await ask.trace('我爱你。')).ids.length, V: vocab.length };
    },
    // h_(t−1) in the formula; the chapter's vocabulary of 1000 tokens.
    quoted: ['1', '1000'],
    title: { en: 'An RNN reads one character at a time', zh: 'RNN 一次读一个字' },
    body: {
      en: `This RNN has the chapter's sizes, nn.RNN({E}, {Hd}): each character becomes a vector of {E} numbers, and the hidden state h has {Hd}. Every row of the heatmap is h after one more character:

\`h_t = tanh(W_ih · x_t + W_hh · h_(t−1) + b)\`

Each step mixes the new character with the row above it, so the state carries a memory of everything read so far. {T} characters give {T} rows, the {T} × {Hd} output; the last row, h_n, sums up the sentence. Each row times the output matrix W_o ({Hd} × {V}: the chapter's vocabulary has 1000 tokens, this one {V}), plus a bias, through a softmax, gives the bars: \`probs = softmax(h · W_o + b_o)\`. Step along the rows with the buttons in this panel and watch the bars follow.`,
      zh: `这个 RNN 的大小和书里一样，是 nn.RNN({E}, {Hd})：每个字先变成一个由 {E} 个数组成的向量，隐藏状态 h 有 {Hd} 个数。热图的每一行，是多读一个字之后的 h：

\`h_t = tanh(W_ih · x_t + W_hh · h_(t−1) + b)\`

每一步都把新读到的字和上一行混合起来，所以状态里带着前面读过的全部内容，这就是 RNN 的“记忆”。{T} 个字得到 {T} 行，也就是 {T} × {Hd} 的 output；最后一行 h_n 概括了整句话。每一行乘上输出矩阵 W_o（{Hd} × {V}；书里的词表有 1000 个词元，这个模型只有 {V} 个），加上偏置，再经过 softmax，就得到概率条：\`probs = softmax(h · W_o + b_o)\`。用面板里的按钮一行一行往下走，看概率条怎样跟着变。`,
    },
  },
  {
    id: 'memory',
    setup: { model: CH_RNN, text: '我爱你，你也爱', pos: null },
    target: ['#bars-panel', '.tokens-panel'],
    focus: ['#tokens', '#bars-panel .bars > li:nth-child(-n+3)'],
    exhibit: 'measure',
    texts: ['我爱你，你也爱', '他爱你，你也爱'],
    async facts(ask) {
      const info = await ask.info();
      const last = [...'我爱你，你也爱'].length - 1;
      const [a, b] = await Promise.all(['我爱你，你也爱', '他爱你，你也爱'].map(async (s) => topAt(await ask.trace(s), info, last, 1)[0]));
      return { a: a.tok, pa: a.p, b: b.tok, pb: b.p, k: last };
    },
    title: { en: 'What an RNN remembers', zh: 'RNN 记住了什么' },
    body: {
      en: `In this language, 我爱你， goes on 你也爱我。: the one named first comes back at the end. After 我爱你，你也爱 the RNN expects {a} ({p:pa}). Change only the first character, to 他, with the button in this panel: now it expects {b} ({p:pb}).

That first character is {k} characters back. The model only ever sees one character at a time; what carries 我 or 他 all the way here is the hidden state.`,
      zh: `在这种语言里，「我爱你，」后面接「你也爱我。」：开头的那个人，会在句末再出现。读完「我爱你，你也爱」，这个 RNN 预测“{a}”（{p:pa}）。用面板里的按钮，只把第一个字换成“他”：它就改猜“{b}”（{p:pb}）。

第一个字在 {k} 个字之前。模型每次只看一个字，能把“我”或“他”一直带到这里的，只有隐藏状态。`,
    },
  },
  {
    id: 'attention',
    // At 着 the model must look back to see which of 星空 / 月亮 was named.
    setup: { model: CH_GPT, text: STARRY, pos: (f) => f._i, layer: (f) => f._l, head: (f) => f._h },
    target: ['#matrix-panel', '#bars-panel'],
    focus: [{ cell: true }, '#bars-panel .bars > li:first-child'],
    exhibit: 'heads',
    async facts(ask) {
      const info = await ask.info();
      const tr = await ask.trace(STARRY);
      const i = indexOf(STARRY, '着');
      const j = indexOf(STARRY, '星');
      const { l, h, w } = headOn(tr, i, j);
      return { _i: i, _l: l, _h: h, l: l + 1, h: h + 1, w, back: i - j, p: probOf(tr, info, i, '月') };
    },
    quoted: ['1'], // every row adds up to 1
    title: { en: 'Self-attention: every token looks back', zh: '自注意力：每个词元都回头看' },
    body: {
      en: `A Transformer does not pass one memory along. At every position, self-attention scores all the tokens so far and takes a weighted mix of them.

This GPT learned the same language, including the chapter's 我喜欢在深夜的星空下伴随着月亮轻轻地想你, where 星空 and 月亮 may trade places: after 伴随着 comes the one not yet named. At 着 (selected) the model must look back to choose. In layer {l}, head {h} puts {p:w} of its attention on 星, {back} characters back, and the bars give 月 {p:p}. Each row of the matrix adds up to 1; the grey triangle is the future, which a decoder may not see.`,
      zh: `Transformer 不是把一份记忆一路往下传。在每个位置上，自注意力给到目前为止的所有词元打分，再按这些权重把它们混合起来。

这个 GPT 学的是同一种语言，也学过书里的「我喜欢在深夜的星空下伴随着月亮轻轻地想你」：“星空”和“月亮”可以互换位置，“伴随着”后面接的，是前面还没说过的那一个。选中的位置是“着”，模型必须回头看才能决定：第 {l} 层的第 {h} 个头把 {p:w} 的注意力放在 {back} 个字之前的“星”上，于是概率条给“月” {p:p}。矩阵每一行加起来都等于 1；灰色三角是“未来”，解码器不能偷看。`,
    },
  },
  {
    id: 'far',
    // Who is thought of follows from who speaks, 18 characters earlier: the RNN has forgotten, attention looks straight back.
    setup: { model: CH_GPT, text: STARRY, pos: (f) => f._i, layer: (f) => f._l, head: (f) => f._h },
    target: ['#matrix-panel', '#bars-panel'],
    focus: [{ cell: true }, '#bars-panel .bars > li:first-child'],
    exhibit: 'heads',
    async facts(ask) {
      const info = await ask.info();
      const tr = await ask.trace(STARRY);
      const i = indexOf(STARRY, '想');
      const j = indexOf(STARRY, '我');
      const { l, h, w } = headOn(tr, i, j);
      const rnn = await ask.trace(STARRY, CH_RNN);
      return {
        _i: i, _l: l, _h: h, l: l + 1, h: h + 1, w, far: i - j,
        pg: probOf(tr, info, i, '你'), pr: probOf(rnn, await ask.info(CH_RNN), i, '你'),
      };
    },
    title: { en: 'Attention reaches as far back as it needs', zh: '注意力想往回看多远都行' },
    body: {
      en: `At 想 the model must know who is thinking, to say whom they think of: 我, {far} characters back. In layer {l}, head {h} looks straight at it ({p:w}), and the bars give 你 {p:pg}.

The RNN of the first steps learned the same sentences, but it reads one character at a time and carries only its hidden state. Here it gives 你 just {p:pr}: over {far} steps, 我 has faded from its memory. Looking back directly, however far, is where Transformers beat RNNs.`,
      zh: `到了“想”，模型得知道是谁在想，才能说出想的是谁：是 {far} 个字之前的“我”。第 {l} 层的第 {h} 个头直接看向它（{p:w}），于是概率条给“你” {p:pg}。

前面那个 RNN 学的是同样的句子，可它一次只读一个字，全靠隐藏状态记事。到了这里，它给“你”只有 {p:pr}：隔了 {far} 步，“我”在它的记忆里已经淡了。不管隔多远都能直接回头看，这正是 Transformer 比 RNN 强的地方。`,
    },
  },
  {
    id: 'heads',
    // One head at a time, each at the character where it matters (the exhibit's buttons switch).
    setup: {
      model: CH_GPT, text: STARRY, pos: (f) => f._jobs[0].i, layer: (f) => f._jobs[0].l, head: (f) => f._jobs[0].h,
      solo: true,
    },
    target: ['#heads-panel', '#bars-panel'],
    // That head's lines alone, whole (both ends of the lit line), and what the model then
    // predicts: the head view beside the bars, its rows fitted to the window (css/classroom.css).
    focus: ['#heads-canvas', '#bars-panel .bars > li:first-child'],
    exhibit: 'jobs',
    async facts(ask) {
      const info = await ask.info();
      const jobs = headJobs(await ask.trace(STARRY), info);
      const f = { _jobs: jobs, L: info.config.n_layer, H: info.config.n_head };
      jobs.forEach((job, k) => Object.assign(f, { [`l${k + 1}`]: job.l + 1, [`h${k + 1}`]: job.h + 1 }));
      return f;
    },
    title: { en: 'Several heads, each with its own job', zh: '多头注意力：每个头各有分工' },
    body: {
      en: `Several attention heads work side by side, and training gives each its own job. The chapter's picture: in 我喜欢在深夜的星空下伴随着月亮轻轻地想你, one head links 我 to 喜欢, another to 深夜, another to 想你.

This GPT has {L} layers of {H} heads; all at once they are a tangle. The buttons in this panel show one head at a time, at the character where it matters. At 想, layer {l1} head {h1} looks at 我: the chapter's link from 我 to 想你. At 夜, layer {l2} head {h2} looks at 深, just before it: 深夜 is followed by 的. At 着, layer {l3} head {h3} looks at 星. At 亮, layer {l4} head {h4} looks back at 伴: this 月亮 comes after 伴随着, so 下 cannot follow.`,
      zh: `多个注意力头并排工作，训练让每个头各有分工。书里的例子：在「我喜欢在深夜的星空下伴随着月亮轻轻地想你」里，一个头把“我”和“喜欢”连起来，另一个连到“深夜”，还有一个连到“想你”。

这个 GPT 有 {L} 层，每层 {H} 个头，全部叠在一起是一团乱线。面板里的按钮一次只显示一个头，并停在它起作用的那个字上。在“想”这里，第 {l1} 层第 {h1} 个头看的是“我”：这就是书里“我”和“想你”之间的连线。在“夜”这里，第 {l2} 层第 {h2} 个头看前一个字“深”：“深夜”后面接“的”。在“着”这里，第 {l3} 层第 {h3} 个头看“星”。在“亮”这里，第 {l4} 层第 {h4} 个头回头看“伴”：这个“月亮”跟在“伴随着”后面，所以后面不会接“下”。`,
    },
  },
  {
    id: 'generate',
    setup: { model: CH_GPT, text: '我', pos: null },
    target: ['#generate-panel .gen-output || #generate-panel', '#generate-panel .gen-pipeline-box'],
    focus: ['#generate-panel .gen-output'],
    exhibit: 'generate',
    title: { en: 'A GPT writes one token at a time', zh: 'GPT 一次写一个词元' },
    body: {
      en: `GPT is a Transformer decoder and nothing more: it reads the text so far, gives a probability to every possible next token, draws one, appends it and starts again. Everything it writes, it writes this way.

Press Step: each press generates one token. Watch it join the text, drawn from bars like the ones you have seen. Keep going, and this GPT writes a sentence of the language it learned. Press Back to take one back and draw again: with the same seed, the same token comes out.`,
      zh: `GPT 就是一个只有解码器的 Transformer：读入目前的文本，给每个可能的下一个词元一个概率，从中抽出一个，接到后面，然后再来一遍。它写出的每一个字，都是这样来的。

点“单步”，每点一次，模型就生成一个词元。看新词元怎样接到文本后面：它就是从你见过的那种概率条里抽出来的。一直点下去，这个 GPT 就会用它学过的那种语言写出一整句话。点“后退”退回一个词元，再抽一次：随机种子不变，抽到的词元也不变。`,
    },
  },
  {
    id: 'sampling',
    setup: { model: CH_GPT, text: '我', pos: null },
    target: ['#generate-panel .gen-sampler || #generate-panel'],
    focus: ['#generate-panel .gen-sampler'],
    exhibit: 'temperature',
    async facts() { return { nT: TEMPERATURES.length }; },
    quoted: ['1'], // temperature below / above 1
    title: { en: 'Temperature and top-k reshape the bars', zh: '温度和 top-k 怎样改变概率条' },
    body: {
      en: `Before a token is drawn, the model's scores can be divided by a temperature T. Below 1 the likely tokens become likelier still, and the text safe and repetitive; above 1 the bars flatten and surprises creep in. Top-k keeps only the k likeliest tokens.

The table applies {nT} temperatures, and top-k, to the model's real distribution after 我. The buttons set the Generate panel's sampler: generate a little with each and compare.`,
      zh: `抽词元之前，可以先把模型给出的分数除以温度 T。T 小于 1，原本概率高的词元，概率变得更高，文字更稳妥，也更容易重复；T 大于 1，概率条变平，意想不到的字就会冒出来。Top-k 只保留概率最高的 k 个词元，再把概率重新分给它们。

表里把 {nT} 种温度和 top-k 用在模型读完“我”之后的真实分布上。按钮会改动生成面板的采样设置：每种设置都生成几个词元，比一比有什么不同。`,
    },
  },
  {
    id: 'beyond',
    setup: null,
    target: [],
    focus: [],
    exhibit: null,
    // The chapter's figures for InstructGPT and GPT-3.
    quoted: ['1.3', '175', '13', '1750', '3'],
    title: { en: 'From here to ChatGPT', zh: '从这里到 ChatGPT' },
    body: {
      en: `Between the attention layers of a Transformer sit feed-forward layers, where much of what a model knows is stored. A large model works on exactly the same principles, only far bigger and pre-trained on a great deal of text. Chat models are then fine-tuned with human feedback (RLHF): people rank answers, and the model learns to give the ones they prefer. That is how InstructGPT, with 1.3 billion parameters, came to be preferred over the 175-billion-parameter GPT-3.

Open models such as Qwen, ChatGLM and InternLM run on ordinary computers, and settings like temperature are in everyone's hands. Now you have seen what they do.`,
      zh: `Transformer 的注意力层之间还有前馈层，模型学到的知识有很多就存放在那里。大模型的原理完全相同，只是规模大得多，又在海量文本上做过预训练。聊天模型还要再用“基于人类反馈的强化学习”（RLHF）来微调：人给模型的回答排序，模型学着给出人们更喜欢的回答。正因如此，只有 13 亿参数的 InstructGPT，反而比有 1750 亿参数的 GPT-3 更受人们青睐。

像通义千问（Qwen）、ChatGLM、书生·浦语（InternLM）这样的开源模型，在普通电脑上就能运行，温度之类的参数人人都能调。现在，你已经亲眼看到这些参数起什么作用了。`,
    },
  },
];

export const LESSON_TITLE = { en: 'How a language model works', zh: '语言模型是怎样工作的' };
