using System.Text;
using Dnet.Generation.Tokenization;

namespace Dnet.Generation.Tests;

[TestClass]
public sealed class TextTokenizerTests
{
    private static TextTokenizer Tokenizer => TokenizerFolder.TinyLoaded;

    [TestMethod]
    [DataRow("Hello, world! The morning train left the station at seven.")]
    [DataRow("Café naïve résumé – Ångström, Zoë, façade")]
    [DataRow("你好，世界。日本語のテキストと한국어")]
    [DataRow("emoji 🙂👍🏽 and a family 👨‍👩‍👧 and 🚀")]
    [DataRow("runs   of  spaces\t\ttabs    and trailing   ")]
    [DataRow("line one\nline two\r\n\n\nend\n")]
    [DataRow("")]
    public void Round_trips_text(string text)
    {
        IReadOnlyList<int> ids = Tokenizer.Encode(text);

        Assert.AreEqual(text, Tokenizer.Decode(ids));
        Assert.IsTrue(ids.All(id => id >= 0 && id < Tokenizer.VocabSize));
    }

    [TestMethod]
    public void Common_english_uses_learned_merges()
    {
        const string text = "the people and the garden";

        IReadOnlyList<int> ids = Tokenizer.Encode(text);

        Assert.IsLessThan(Encoding.UTF8.GetByteCount(text) / 2, ids.Count, $"only {ids.Count} merges applied");
    }

    [TestMethod]
    public void Special_tokens_are_single_ids_only_when_parsed()
    {
        const string text = "<|im_start|>user\nHi<|im_end|>\n";

        IReadOnlyList<int> parsed = Tokenizer.Encode(text);
        IReadOnlyList<int> literal = Tokenizer.Encode(text, parseSpecialTokens: false);

        Assert.AreEqual(1, parsed[0]);
        Assert.AreEqual(1, parsed.Count(id => id == 2));
        Assert.IsFalse(literal.Any(Tokenizer.IsSpecial));
        Assert.AreEqual(text, Tokenizer.Decode(parsed));
        Assert.AreEqual(text, Tokenizer.Decode(literal));
        Assert.AreEqual("user\nHi\n", Tokenizer.Decode(parsed, skipSpecialTokens: true));
    }

    [TestMethod]
    public void Reads_bos_eos_and_end_of_turn_from_config()
    {
        Assert.AreEqual(1, Tokenizer.BosTokenId);
        Assert.AreEqual(2, Tokenizer.EosTokenId);
        CollectionAssert.AreEquivalent(new[] { 0, 2 }, Tokenizer.EndOfTurnTokenIds.ToArray());
        Assert.AreEqual("<|im_end|>", Tokenizer.TokenText(2));
        Assert.AreEqual("Ġ", Tokenizer.TokenText(3 + ' '));
        Assert.IsNull(Tokenizer.TokenText(Tokenizer.VocabSize));
    }

    [TestMethod]
    public void Concurrent_encodes_agree_with_sequential_ones()
    {
        string[] texts = [.. Enumerable.Range(0, 64).Select(i => $"Request {i}: the garden, 你好 🙂 {i * 7919}\n")];
        int[][] sequential = [.. texts.Select(t => Tokenizer.Encode(t).ToArray())];
        var concurrent = new int[texts.Length][];

        Parallel.For(0, texts.Length * 8, i => concurrent[i % texts.Length] = [.. Tokenizer.Encode(texts[i % texts.Length])]);

        for (int i = 0; i < texts.Length; i++)
        {
            CollectionAssert.AreEqual(sequential[i], concurrent[i], texts[i]);
        }
    }

    [TestMethod]
    public void Missing_file_names_the_file()
    {
        string path = Path.Combine(TokenizerFolder.NewTempFolder(), "tokenizer.json");

        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => TextTokenizer.Load(path));

        StringAssert.Contains(ex.Message, path);
    }

    [TestMethod]
    [DataRow("this is { not json", "not valid JSON")]
    [DataRow("""{"model":{"type":"WordPiece","vocab":{"a":0}}}""", "model type 'WordPiece' is not supported")]
    [DataRow("""{"model":{"type":"Unigram","vocab":[["a",0.0]]}}""", "model type 'Unigram' is not supported")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"byte_fallback":true}}""", "needs spaces spelled '▁'")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":null,"decoder":null}""", "only these two kinds of BPE")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":["a b"]},"decoder":{"type":"ByteLevel"}}""", "inconsistent model.vocab/model.merges")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"Sequence"}}""", "unexpected structure")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":"zero"},"merges":[]}}""", "model.vocab entry 'a' has no valid id")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"byte_fallback":true},"normalizer":{"type":"Prepend","prepend":"▁"},"pre_tokenizer":{"type":"Metaspace","replacement":"▁"}}""", "only one of the two layouts")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"byte_fallback":true},"normalizer":{"type":"Lowercase"}}""", "normalizer {\"type\":\"Lowercase\"} is not supported with SentencePiece-style BPE")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"byte_fallback":true},"pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"sometimes"}}""", "prepend_scheme 'sometimes' is not supported")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"byte_fallback":true},"pre_tokenizer":{"type":"Metaspace","replacement":"▁"},"decoder":{"type":"Fuse"}}""", "does not turn '▁' back into spaces")]
    [DataRow("""{"model":{"type":"BPE","vocab":{"▁":0,"a":1},"merges":["▁ a"],"byte_fallback":true},"pre_tokenizer":{"type":"Metaspace","replacement":"▁"},"decoder":{"type":"Metaspace","replacement":"▁"}}""", "('▁' 'a') names a token missing from model.vocab")]
    public void Bad_file_is_rejected_with_file_and_reason(string json, string reason)
    {
        string path = Path.Combine(TokenizerFolder.NewTempFolder(), "tokenizer.json");
        File.WriteAllText(path, json);

        var ex = Assert.ThrowsExactly<InvalidDataException>(() => TextTokenizer.Load(path));

        StringAssert.Contains(ex.Message, path);
        StringAssert.Contains(ex.Message, reason);
    }
}
