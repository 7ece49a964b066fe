namespace Dnet.Perf.Tests;

[TestClass]
public sealed class MarkdownTextTests
{
    [TestMethod]
    [DataRow("plain shard-0 1.5 ms", "plain shard-0 1.5 ms")]
    [DataRow("a|b", "a\\|b")]
    [DataRow("**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`")]
    [DataRow("[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)")]
    [DataRow("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;")]
    [DataRow("line\nbreak\r\ttab", "line break  tab")]
    [DataRow("![img](u) ~~s~~ # h {x}", "\\!\\[img\\]\\(u\\) \\~\\~s\\~\\~ \\# h \\{x\\}")]
    [DataRow("back\\slash", "back\\\\slash")]
    public void EscapesWhatMarkdownWouldInterpret(string text, string expected) =>
        Assert.AreEqual(expected, MarkdownText.Escape(text));

    [TestMethod]
    public void NullIsTheFallback() => Assert.AreEqual("n/a", MarkdownText.Escape(null));
}
