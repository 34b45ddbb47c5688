// The guided lesson: the chapter in /work/shared/CHAPTER.md (how ChatGPT-style
// models work) taught with the shipped models, live. Each step says what to
// look at (prose, in English and Chinese: written for each language, not
// translated word for word), how to set the page up (model, text, layer,
// head, position, sampler), what to highlight, and which live exhibit to
// show in the lesson panel (exhibits.js). `backticks` in prose are formulas.
//
// The prose names what the shipped models really do on these inputs; the
// browser tests (tests/e2e/classroom.test.mjs) check those claims, so a
// retrained model cannot silently make a step wrong.

const BOOK_RNN = 'book-rnn-32-64.safetensors';
const TOY_RNN = 'toy-rnn.safetensors';
const TOY_GPT = 'toy-gpt.safetensors';
const UNTRAINED_GPT = 'gpt-untrained.safetensors';
const INDUCTION_GPT = 'induction-gpt.safetensors';

/** The chapter's multi-head example sentence (every character is in the untrained GPT's vocabulary). */
export const STARRY = '我喜欢在深夜的星空下伴随着月亮轻轻地想你';

export const STEPS = [
  {
    id: 'ids',
    setup: { model: BOOK_RNN, text: '我爱你。', pos: null },
    target: ['.tokens-panel'],
    exhibit: 'ids',
    title: { en: 'Text becomes numbers', zh: '文字先变成数字' },
    body: {
      en: `A computer cannot read 我爱你。 as it is. The first thing a language model does is look every character up in its vocabulary and replace it with that entry's number: its id.

Four characters, four ids: this panel lists them, straight from the model on the page. The chapter numbers them 我 → 1, 爱 → 2, 你 → 3, 。 → 0; this model has 1000 tokens and numbers them differently. The numbers mean nothing in themselves. What matters is that the same character always gets the same one.`,
      zh: `计算机没法直接读懂「我爱你。」。语言模型做的第一件事，是在词表里查到每个字，把它换成一个编号，也就是 ID。

四个字，四个 ID，这个面板里列出的就是页面上的模型实际得到的编号。书里的例子把它们编成 我 → 1、爱 → 2、你 → 3、。→ 0；这个模型的词表有 1000 个词元，编号不一样。编号本身没有任何含义，要紧的是同一个字每次都得到同一个编号。`,
    },
  },
  {
    id: 'bag',
    setup: { model: BOOK_RNN, text: '我爱你', pos: null },
    target: ['#bars-panel', '.tokens-panel'],
    exhibit: 'bag',
    texts: ['我爱你', '你爱我'],
    title: { en: 'A bag of words forgets the order', zh: '词袋模型记不住顺序' },
    body: {
      en: `Count the characters in 我爱你 and in 你爱我: one 我, one 爱 and one 你 each. A bag of words keeps only these counts, so to it the two sentences are the same, although in one I love you and in the other you love me.

A language model reads the tokens in order. Switch between the two sentences with the buttons in this panel and watch the next-token bars: they change. The counts did not, but what the model has read did.`,
      zh: `数一数「我爱你」和「你爱我」里的字：都是一个“我”、一个“爱”、一个“你”。词袋模型只记这些次数，在它眼里两句话完全一样，可一句是我爱你，一句是你爱我。

语言模型是按顺序读词元的。用这个面板里的按钮在两句话之间切换，看看“下一个词元”的概率条：它们变了。次数没变，但模型读到的内容变了。`,
    },
  },
  {
    id: 'lm',
    setup: { model: BOOK_RNN, text: '我爱你。', pos: null },
    target: ['#bars-panel'],
    exhibit: 'softmax',
    title: { en: 'A language model: a probability for every token', zh: '语言模型：给每个词元一个概率' },
    body: {
      en: `A language model takes text in and answers with a probability for every token in its vocabulary: how likely each one is to come next. Writing is only this, repeated: pick a token, append it, ask again.

The bars show the likeliest next tokens after the selected position. All 1000 probabilities are positive and add up to 1. This RNN has never been trained, so its guesses are almost flat: each token gets about 0.1%, and the entropy is close to the largest it can be.`,
      zh: `语言模型读入一段文字，然后给词表里的每个词元一个概率：它接下来出现的可能性有多大。写文章不过是把这件事反复做：选一个词元，接到后面，再问一次。

概率条列出的是所选位置之后最可能出现的词元。全部 1000 个概率都是正数，加起来等于 1。这个 RNN 还没训练过，所以它的猜测几乎是平的：每个词元大约 0.1%，熵也接近最大可能值。`,
    },
  },
  {
    id: 'rnn',
    setup: { model: BOOK_RNN, text: '我爱你。', pos: 0 },
    target: ['#hidden-panel', '#bars-panel'],
    exhibit: 'rows',
    title: { en: 'An RNN reads one character at a time', zh: 'RNN 一次读一个字' },
    body: {
      en: `This is the chapter's network, nn.RNN(32, 64): each character becomes a vector of 32 numbers, and the hidden state h has 64. Every row of the heatmap is h after one more character:

\`h_t = tanh(W_ih · x_t + W_hh · h_(t−1) + b)\`

Each step mixes the new character with the row above it, so the state carries a memory of everything read so far. Four characters give four rows, the 4 × 64 output; the last row, h_n, sums up the sentence. Each row times the output matrix W_o, plus a bias, through a softmax, gives the bars: \`probs = softmax(h · W_o + b_o)\`. Step along the rows with the buttons in this panel and watch the bars follow.`,
      zh: `这就是书里的网络 nn.RNN(32, 64)：每个字先变成 32 个数的向量，隐藏状态 h 有 64 个数。热图的每一行，是多读一个字之后的 h：

\`h_t = tanh(W_ih · x_t + W_hh · h_(t−1) + b)\`

每一步都把新读到的字和上一行混合在一起，所以状态里带着前面读过的全部内容，这就是 RNN 的“记忆”。四个字得到四行，也就是 4 × 64 的 output；最后一行 h_n 概括了整句话。每一行乘上输出矩阵 W_o，加上偏置，再经过 softmax，就得到概率条：\`probs = softmax(h · W_o + b_o)\`。用面板里的按钮一行一行往下走，看概率条怎样跟着变。`,
    },
  },
  {
    id: 'memory',
    setup: { model: TOY_RNN, text: '我看见的那只猫跑了。', pos: 5 },
    target: ['#bars-panel', '#hidden-panel'],
    exhibit: 'measure',
    texts: ['我看见的那只猫跑了。', '我看见的那条狗跑了。'],
    title: { en: 'What a trained RNN remembers', zh: '训练过的 RNN 记住了什么' },
    body: {
      en: `This RNN was trained on a small made-up language in which Chinese measure words must fit their nouns: 只 goes with 猫 and 鸟, 条 with 狗 and 鱼.

After 那只 it bets on 猫 or 鸟 and leaves 狗 almost nothing. Try 那条 with the button in this panel: the bars swing to 狗 and 鱼. The model only ever sees one character at a time; what carries 只 or 条 into the next step is the hidden state.`,
      zh: `这个 RNN 在一种自编的小语言上训练过，这种语言里量词必须和名词搭配：“只”配猫和鸟，“条”配狗和鱼。

读到“那只”，它押注猫或鸟，几乎不给狗留概率。点面板里的按钮换成“那条”：概率条立刻转向狗和鱼。模型每次只看一个字，把“只”或“条”带到下一步的，就是隐藏状态。`,
    },
  },
  {
    id: 'attention',
    // The toy GPT learned the chapter's sentence and its variants, where 星空 and
    // 月亮 trade places: at 着 it must look back to see which one was named.
    setup: { model: TOY_GPT, text: STARRY, pos: 12, layer: 1, head: 1 },
    target: ['#matrix-panel'],
    exhibit: 'heads',
    title: { en: 'Self-attention: every token looks back', zh: '自注意力：每个词元都回头看' },
    body: {
      en: `A Transformer does not pass one memory along. At every position, self-attention scores all the tokens so far and takes a weighted mix of them.

This small GPT learned sentences like the chapter's 我喜欢在深夜的星空下伴随着月亮轻轻地想你, in which 星空 and 月亮 trade places: after 伴随着 comes whichever was not named before. At 着 (selected) the model has to look back to choose. In layer 2, head 2 puts almost all of its attention on 星, six characters back, and the bars give 月 more than 99%. The other heads look elsewhere. Every row of the matrix adds up to 1, and the grey triangle is the future, which a decoder may not see.`,
      zh: `Transformer 不是把一份记忆一路往下传。在每个位置上，自注意力给到目前为止的所有词元打分，再按权重把它们混合起来。

这个小 GPT 学过和书里那句同类的句子：「我喜欢在深夜的星空下伴随着月亮轻轻地想你」，其中“星空”和“月亮”会互换位置，“伴随着”后面接的，一定是前面没说过的那一个。选中的位置是“着”，模型得回头看才能决定：第 2 层的第 2 个头几乎把全部注意力放在六个字之前的“星”上，于是概率条给“月”超过 99%。其他头各看各的地方。矩阵的每一行加起来都等于 1，灰色三角是“未来”，解码器不许偷看。`,
    },
  },
  {
    id: 'heads',
    setup: { model: INDUCTION_GPT, text: 'qxmwbt|qxmw', pos: null, layer: 0, head: 2 },
    target: ['#model-panel'],
    exhibit: 'heads',
    title: { en: 'Several heads, each looking somewhere else', zh: '多头注意力：每个头看不同的地方' },
    body: {
      en: `Several attention heads work side by side, and training gives each its own job. The chapter's picture: in 我喜欢在深夜的星空下伴随着月亮轻轻地想你, one head links 我 to 喜欢, another to 深夜, another to 想你.

This small GPT was trained to repeat a random sequence after |. Look at the last w in layer 1: one head looks at the separator |, one at the earlier w, and one at b, the letter that followed w last time, which is exactly what should come next. The grid shows every layer and head at once: different patterns, different jobs.`,
      zh: `多个注意力头并排工作，训练让每个头各有分工。书里的例子：在「我喜欢在深夜的星空下伴随着月亮轻轻地想你」里，一个头把“我”和“喜欢”连起来，另一个连到“深夜”，还有一个连到“想你”。

这个小 GPT 学的是：在 | 之后把前面那串随机字母再写一遍。看第 1 层里最后一个 w：有一个头盯着分隔符 |，有一个看前面那个 w，还有一个看 b，也就是上次紧跟在 w 后面的字母，正好是下一个该写的字。小方格一次列出所有层、所有头：图案不同，分工也不同。`,
    },
  },
  {
    id: 'generate',
    setup: { model: TOY_GPT, text: '我看见', pos: null },
    target: ['#generate-panel .gen-output || #generate-panel', '#generate-panel .gen-pipeline-box'],
    exhibit: 'generate',
    title: { en: 'A GPT writes one token at a time', zh: 'GPT 一次写一个词元' },
    body: {
      en: `GPT is a Transformer decoder and nothing more: it reads the text so far, gives a probability to every possible next token, draws one, appends it and starts again. Everything it writes, it writes this way.

This GPT learned the same small language as the RNN. Press Generate one token and watch the new token join the text, drawn from bars like the ones you have seen. Take one back and draw again: with the same seed the same token comes out.`,
      zh: `GPT 就是一个只有解码器的 Transformer：读入目前的文本，给每个可能的下一个词元一个概率，抽出一个，接到后面，然后再来一遍。它写出的每一个字都是这样来的。

这个 GPT 学的是和刚才那个 RNN 一样的小语言。点“生成一个词元”，看新词元怎样接到文本后面，它就是从你见过的那种概率条里抽出来的。退回一个再抽一次：种子不变，抽到的词元也不变。`,
    },
  },
  {
    id: 'sampling',
    setup: { model: TOY_GPT, text: '我看见', pos: null },
    target: ['#generate-panel .gen-sampler || #generate-panel'],
    exhibit: 'temperature',
    title: { en: 'Temperature and top-k reshape the bars', zh: '温度和 top-k 如何改变概率条' },
    body: {
      en: `Before a token is drawn, the model's scores can be divided by a temperature T. Below 1 the likely tokens become even likelier, and the text gets safe and repetitive; above 1 the bars flatten and surprises creep in. Top-k keeps only the k likeliest tokens and shares the probability among them.

The table applies three temperatures, and top-k, to the model's real distribution after 见. The buttons change the Generate panel's sampler: generate a few tokens with each and compare what comes out.`,
      zh: `抽词元之前，可以先把模型给出的分数除以温度 T。T 小于 1，本来就可能的词元更可能了，文字变得稳妥、容易重复；T 大于 1，概率条变平，意外的字就混进来了。Top-k 只保留概率最高的 k 个词元，把概率重新分给它们。

表里把三种温度和 top-k 用在模型读完“见”之后的真实分布上。按钮会改动生成面板的采样设置：每种设置都生成几个词元，比比写出来有什么不同。`,
    },
  },
  {
    id: 'beyond',
    setup: null,
    target: [],
    exhibit: null,
    title: { en: 'From here to ChatGPT', zh: '从这里到 ChatGPT' },
    body: {
      en: `Between the attention layers of a Transformer sit feed-forward layers, where much of what a model knows is stored. A large model is the same machine, far bigger and pre-trained on a great deal of text. Chat models are then fine-tuned with human feedback (RLHF): people rank answers, and the model learns to give the ones they prefer. That is how InstructGPT, with 1.3 billion parameters, came to be preferred over the 175-billion-parameter GPT-3.

Open models such as Qwen, ChatGLM and InternLM run on ordinary computers, and settings like temperature are in everyone's hands. Now you have seen what they do.`,
      zh: `Transformer 的注意力层之间还有前馈层，模型学到的知识有很多就存放在那里。大模型还是同一台机器，只是大得多，又在海量文本上做过预训练。聊天模型还要再用人类反馈强化学习（RLHF）来微调：人给回答排序，模型学着给出人们更喜欢的回答。正因如此，只有 13 亿参数的 InstructGPT，反而比 1750 亿参数的 GPT-3 更受青睐。

像 Qwen、ChatGLM、InternLM 这样的开源模型可以在普通电脑上运行，温度之类的参数人人都能调。现在，你已经亲眼看到它们起什么作用了。`,
    },
  },
];

export const LESSON_TITLE = { en: 'How a language model works', zh: '语言模型是怎样工作的' };
