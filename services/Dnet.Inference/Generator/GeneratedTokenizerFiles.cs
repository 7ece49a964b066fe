namespace Dnet.Inference.Generator;

/// <summary>The tokenizer files of a generated model come from Dnet.Generation (the one place tokenizers live).</summary>
static class GeneratedTokenizerFiles
{
    public static void Write(string folder, int vocabSize, ulong seed)
    {
        _ = (folder, vocabSize, seed);
    }
}
