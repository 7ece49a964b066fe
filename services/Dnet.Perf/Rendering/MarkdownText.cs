using System.Net;
using System.Text;

namespace Dnet.Perf;

/// <summary>
/// Text from spans and requests (model names, request ids, node names, filters) made inert for Markdown: the
/// punctuation that starts Markdown syntax inside a line is backslash-escaped, <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> become entities (so a
/// renderer that allows raw HTML shows them as text), and line breaks become spaces (a table row stays one row).
/// </summary>
public static class MarkdownText
{
    // What can start emphasis, code, links, images, headings, tables or strikethrough inside a line. Values are
    // never written at the start of a line, so list markers (-, +, 1.) need no escape.
    private const string Punctuation = "\\`*_{}[]()#!|~";

    /// <summary>The escaped text; <paramref name="fallback"/> for null.</summary>
    /// <param name="text">Any text.</param>
    /// <param name="fallback">What to write for null (not escaped: callers pass constants).</param>
    public static string Escape(string? text, string fallback = "n/a")
    {
        if (text is null)
        {
            return fallback;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<' or '>' or '&':
                    escaped.Append(WebUtility.HtmlEncode(c.ToString()));
                    break;
                case '\r' or '\n' or '\t':
                    escaped.Append(' ');
                    break;
                default:
                    if (Punctuation.Contains(c, StringComparison.Ordinal))
                    {
                        escaped.Append('\\');
                    }

                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }
}
