using System.Runtime.CompilerServices;
using System.Text.Json;
using Dnet.Generation.Streaming;
using Dnet.Generation.Tokenization;

namespace Dnet.Generation.Tests;

/// <summary>
/// The independent check of SentencePiece-style loading: on the tokenizer files the generator writes (Llama 2 /
/// Mistral v0.1 layout, and the Metaspace layout), Dnet's ids and decodes must equal those HuggingFace's own tokenizers
/// library recorded (Golden/SentencePiece, see its README), and streaming must add up to the whole decode.
/// </summary>
[TestClass]
public sealed class SentencePieceParityTests
{
    private sealed record HfCase(string Text, int[] Ids, string Decoded, string DecodedSkipSpecial);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string GoldenFolder(GeneratedTokenizerLayout layout) =>
        Path.Combine(AppContext.BaseDirectory, "Golden", "SentencePiece", layout.ToString());

    private static HfCase[] Cases(GeneratedTokenizerLayout layout) =>
        JsonSerializer.Deserialize<HfCase[]>(File.ReadAllText(Path.Combine(GoldenFolder(layout), "hf-cases.json")), Json)!;

    private static TextTokenizer Load(GeneratedTokenizerLayout layout) =>
        TextTokenizer.Load(Path.Combine(GoldenFolder(layout), "tokenizer.json"));

    [TestMethod]
    [DataRow(GeneratedTokenizerLayout.SentencePiece)]
    [DataRow(GeneratedTokenizerLayout.SentencePieceMetaspace)]
    public void Generator_still_writes_the_recorded_files(GeneratedTokenizerLayout layout)
    {
        string folder = TokenizerFolder.Create(new GeneratedTokenizerOptions { VocabSize = 512, Seed = 1, Layout = layout });
        if (Environment.GetEnvironmentVariable("DNET_UPDATE_GOLDEN") == "1")
        {
            string source = Path.Combine(SourceFolder(), "Golden", "SentencePiece", layout.ToString());
            Directory.CreateDirectory(source);
            foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                File.Copy(Path.Combine(folder, file), Path.Combine(source, file), overwrite: true);
            }
        }

        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(GoldenFolder(layout), file)), File.ReadAllBytes(Path.Combine(folder, file)),
                $"{layout}/{file} changed: re-record as Golden/SentencePiece/README.md says");
        }
    }

    [TestMethod]
    [DataRow(GeneratedTokenizerLayout.SentencePiece)]
    [DataRow(GeneratedTokenizerLayout.SentencePieceMetaspace)]
    public void Ids_and_decodes_match_huggingface(GeneratedTokenizerLayout layout)
    {
        TextTokenizer tokenizer = Load(layout);
        HfCase[] cases = Cases(layout);
        Assert.IsGreaterThan(15, cases.Length);

        foreach (HfCase hf in cases)
        {
            int[] ids = [.. tokenizer.Encode(hf.Text)];
            CollectionAssert.AreEqual(hf.Ids, ids, $"'{hf.Text}': HF {string.Join(',', hf.Ids)}, Dnet {string.Join(',', ids)}");
            Assert.AreEqual(hf.Decoded, tokenizer.Decode(ids), hf.Text);
            Assert.AreEqual(hf.DecodedSkipSpecial, tokenizer.Decode(ids, skipSpecialTokens: true), hf.Text);
        }
    }

    [TestMethod]
    [DataRow(GeneratedTokenizerLayout.SentencePiece, false)]
    [DataRow(GeneratedTokenizerLayout.SentencePiece, true)]
    [DataRow(GeneratedTokenizerLayout.SentencePieceMetaspace, false)]
    [DataRow(GeneratedTokenizerLayout.SentencePieceMetaspace, true)]
    public void Streaming_one_token_at_a_time_gives_the_whole_decode(GeneratedTokenizerLayout layout, bool skipSpecialTokens)
    {
        TextTokenizer tokenizer = Load(layout);
        foreach (HfCase hf in Cases(layout))
        {
            var detokenizer = new IncrementalDetokenizer(tokenizer, skipSpecialTokens);
            List<string> pieces = [.. hf.Ids.Select(detokenizer.Push), detokenizer.Flush()];

            Assert.AreEqual(skipSpecialTokens ? hf.DecodedSkipSpecial : hf.Decoded, string.Concat(pieces), hf.Text);
            Assert.IsFalse(pieces.Any(p => p.Contains('\uFFFD') || (p.Length > 0 && char.IsHighSurrogate(p[^1]))),
                $"'{hf.Text}': a piece held part of a character");
        }
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
