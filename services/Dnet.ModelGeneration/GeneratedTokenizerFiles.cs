using Dnet.Generation.Tokenization;

namespace Dnet.ModelGeneration;

/// <summary>
/// The tokenizer files of a generated model come from Dnet.Generation (the one place tokenizers live): a byte-level
/// BPE with ChatML specials (ids 0 &lt;|endoftext|&gt;, 1 &lt;|im_start|&gt;, 2 &lt;|im_end|&gt;), or a Llama 2 /
/// Mistral-style SentencePiece BPE (ids 0 &lt;unk&gt;, 1 &lt;s&gt;, 2 &lt;/s&gt;); BOS is 1 and EOS 2 in both.
/// </summary>
static class GeneratedTokenizerFiles
{
    public const int BosTokenId = 1;
    public const int EosTokenId = 2;

    public static void Write(string folder, int vocabSize, ulong seed, bool sentencePiece) =>
        GeneratedTokenizer.Write(folder, new GeneratedTokenizerOptions
        {
            VocabSize = vocabSize,
            Seed = unchecked((long)seed),
            Layout = sentencePiece ? GeneratedTokenizerLayout.SentencePiece : GeneratedTokenizerLayout.ByteLevel,
        });
}
