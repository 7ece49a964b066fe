using Dnet.Generation.Tokenization;

namespace Dnet.Generation.Tests;

/// <summary>Generated tokenizer folders shared by the tests, written once per process into temp folders.</summary>
internal static class TokenizerFolder
{
    private static readonly Lazy<string> Tiny = new(() => Create(new GeneratedTokenizerOptions { VocabSize = 512, Seed = 1 }));
    private static readonly Lazy<TextTokenizer> TinyTokenizer = new(() => TextTokenizer.Load(Path.Combine(Tiny.Value, "tokenizer.json")));

    private static readonly Lazy<string> SentencePiece = new(() => Create(new GeneratedTokenizerOptions { VocabSize = 512, Seed = 1, Layout = GeneratedTokenizerLayout.SentencePiece }));
    private static readonly Lazy<TextTokenizer> SentencePieceTokenizer = new(() => TextTokenizer.Load(Path.Combine(SentencePiece.Value, "tokenizer.json")));

    /// <summary>dnet-tiny-mistral's tokenizer: SentencePiece-style, Llama 2 / Mistral v0.1 layout, 512 ids.</summary>
    public static string SentencePiecePath => SentencePiece.Value;

    public static TextTokenizer SentencePieceLoaded => SentencePieceTokenizer.Value;

    /// <summary>dnet-tiny's tokenizer: 512 ids.</summary>
    public static string TinyPath => Tiny.Value;

    public static TextTokenizer TinyLoaded => TinyTokenizer.Value;

    public static string Create(GeneratedTokenizerOptions options)
    {
        string folder = NewTempFolder();
        GeneratedTokenizer.Write(folder, options);
        return folder;
    }

    /// <summary>This test run's scratch folder, removed by <see cref="TestRunCleanup.RemoveScratch"/>.</summary>
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "dnet-generation-tests", Guid.NewGuid().ToString("N"));

    public static string NewTempFolder()
    {
        string folder = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}

[TestClass]
public static class TestRunCleanup
{
    [AssemblyCleanup]
    public static void RemoveScratch()
    {
        if (Directory.Exists(TokenizerFolder.Root))
        {
            Directory.Delete(TokenizerFolder.Root, recursive: true);
        }
    }
}
