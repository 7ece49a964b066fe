using Dnet.Generation.Tokenization;

namespace Dnet.Generation.Tests;

[TestClass]
public sealed class GeneratedTokenizerTests
{
    [TestMethod]
    [DataRow(512)]
    [DataRow(49152)]
    public void Same_options_give_identical_bytes_and_the_exact_vocab_size(int vocabSize)
    {
        var options = new GeneratedTokenizerOptions { VocabSize = vocabSize, Seed = 7 };
        string first = TokenizerFolder.Create(options);
        string second = TokenizerFolder.Create(options);

        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)), file);
        }

        TextTokenizer tokenizer = TextTokenizer.Load(Path.Combine(first, "tokenizer.json"));
        Assert.AreEqual(vocabSize, tokenizer.VocabSize);
        Assert.IsTrue(Enumerable.Range(0, vocabSize).All(id => tokenizer.TokenText(id) is not null), "a gap in the ids");
    }

    [TestMethod]
    public void Large_vocabulary_is_padded_with_reserved_special_tokens()
    {
        TextTokenizer tokenizer = TextTokenizer.Load(Path.Combine(TokenizerFolder.Create(new() { VocabSize = 49152 }), "tokenizer.json"));

        Assert.AreEqual("<|reserved_0|>", tokenizer.TokenText(Enumerable.Range(0, 49152).First(id => tokenizer.TokenText(id)!.StartsWith("<|reserved_", StringComparison.Ordinal))));
        Assert.IsTrue(tokenizer.IsSpecial(49151));
        Assert.AreEqual("The garden", tokenizer.Decode(tokenizer.Encode("The garden")));
    }

    [TestMethod]
    public void Seed_changes_tie_breaking()
    {
        string a = File.ReadAllText(Path.Combine(TokenizerFolder.Create(new() { VocabSize = 1024, Seed = 1 }), "tokenizer.json"));
        string b = File.ReadAllText(Path.Combine(TokenizerFolder.Create(new() { VocabSize = 1024, Seed = 2 }), "tokenizer.json"));

        Assert.AreNotEqual(a, b);
    }

    [TestMethod]
    public void Too_small_vocabulary_is_rejected() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GeneratedTokenizer.Write(TokenizerFolder.NewTempFolder(), new() { VocabSize = 258 }));
}
