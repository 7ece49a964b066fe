using System.Text;
using Dnet.Generation.Streaming;
using Dnet.Generation.Tokenization;

namespace Dnet.Generation.Tests;

[TestClass]
public sealed class StreamingTests
{
    private const int FirstByteTokenId = 3;

    private static TextTokenizer Tokenizer => TokenizerFolder.TinyLoaded;

    [TestMethod]
    [DataRow("plain ascii")]
    [DataRow("Café – naïve ½ €")]
    [DataRow("你好世界，日本語")]
    [DataRow("🙂👍🏽👨‍👩‍👧🚀 mixed é 中")]
    public void Split_at_every_byte_yields_only_whole_characters(string text)
    {
        // The generated vocabulary puts byte b at id 3 + b, so one token per byte splits every character.
        var detokenizer = new IncrementalDetokenizer(Tokenizer);
        var pieces = Encoding.UTF8.GetBytes(text).Select(b => detokenizer.Push(FirstByteTokenId + b)).ToList();
        pieces.Add(detokenizer.Flush());

        Assert.IsFalse(pieces.Any(p => p.Contains('\uFFFD')), "a piece held a replacement character");
        Assert.IsFalse(pieces.Any(p => p.Length > 0 && char.IsHighSurrogate(p[^1])), "a piece ended inside a surrogate pair");
        Assert.AreEqual(text, string.Concat(pieces));
    }

    [TestMethod]
    public void Encoded_tokens_stream_back_to_the_text()
    {
        const string text = "<|im_start|>assistant\nDone 🙂 — 完成<|im_end|>";
        var detokenizer = new IncrementalDetokenizer(Tokenizer, skipSpecialTokens: true);

        string streamed = string.Concat(Tokenizer.Encode(text).Select(detokenizer.Push)) + detokenizer.Flush();

        Assert.AreEqual("assistant\nDone 🙂 — 完成", streamed);
    }

    [TestMethod]
    public void Truncated_character_is_flushed_as_replacement()
    {
        var detokenizer = new IncrementalDetokenizer(Tokenizer);
        byte[] emoji = Encoding.UTF8.GetBytes("🙂");

        Assert.AreEqual("a", detokenizer.Push(FirstByteTokenId + 'a'));
        Assert.AreEqual("", detokenizer.Push(FirstByteTokenId + emoji[0]));
        Assert.AreEqual("", detokenizer.Push(FirstByteTokenId + emoji[1]));
        Assert.AreEqual("\uFFFD", detokenizer.Flush());
    }

    [TestMethod]
    public void Stop_matcher_holds_back_prefixes_and_cuts_at_the_stop()
    {
        var matcher = new StopSequenceMatcher(["STOP", "\n\n"]);

        Assert.AreEqual(new StopCheck("Hel", false), matcher.Push("Hel"));
        Assert.AreEqual(new StopCheck("lo ", false), matcher.Push("lo ST"));
        Assert.AreEqual("ST", matcher.HeldText);
        Assert.AreEqual(new StopCheck("", false), matcher.Push("O"));
        Assert.AreEqual(new StopCheck("", true), matcher.Push("P and more"));
        Assert.ThrowsExactly<InvalidOperationException>(() => matcher.Push("x"));
    }

    [TestMethod]
    public void Stop_matcher_releases_a_prefix_that_did_not_become_a_stop()
    {
        var matcher = new StopSequenceMatcher(["STOP"]);

        Assert.AreEqual(new StopCheck("a ", false), matcher.Push("a ST"));
        Assert.AreEqual(new StopCheck("STAY ", false), matcher.Push("AY ST"));
        Assert.AreEqual("ST", matcher.Flush());
    }

    [TestMethod]
    public void Stop_matcher_cuts_at_the_earliest_stop_inside_one_piece()
    {
        var matcher = new StopSequenceMatcher(["world", "lo"]);

        Assert.AreEqual(new StopCheck("Hel", true), matcher.Push("Hello world"));
    }

    [TestMethod]
    public void Empty_stop_string_is_rejected() =>
        Assert.ThrowsExactly<ArgumentException>(() => new StopSequenceMatcher(["ok", ""]));
}
