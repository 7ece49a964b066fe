// Records what HuggingFace tokenizers (the Rust library, through its Node binding) does with the generated
// SentencePiece-style tokenizer files in this folder: ids without added BOS, and both decodes. Run after the
// files change (see README.md here):
//   npm install --prefix /tmp/hf tokenizers@0.23.2 && NODE_PATH=/tmp/hf/node_modules node record.js
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

const texts = JSON.parse(fs.readFileSync(path.join(__dirname, 'texts.json'), 'utf8'));

(async () => {
  for (const layout of ['SentencePiece', 'SentencePieceMetaspace']) {
    const tokenizer = Tokenizer.fromFile(path.join(__dirname, layout, 'tokenizer.json'));
    const cases = [];
    for (const text of texts) {
      const ids = (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds();
      cases.push({
        text,
        ids: Array.from(ids),
        decoded: await tokenizer.decode(Array.from(ids), false),
        decoded_skip_special: await tokenizer.decode(Array.from(ids), true),
      });
    }
    fs.writeFileSync(path.join(__dirname, layout, 'hf-cases.json'), '[\n' + cases.map(c => JSON.stringify(c)).join(',\n') + '\n]\n');
    console.error(`${layout}: ${cases.length} cases`);
  }
})();
