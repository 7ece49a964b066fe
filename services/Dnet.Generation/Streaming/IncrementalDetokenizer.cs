using System.Text;
using Dnet.Generation.Tokenization;

namespace Dnet.Generation.Streaming;

/// <summary>
/// Turns generated token ids into text one token at a time. A token may end in the middle of a UTF-8 character
/// (emoji and CJK are often split over several byte tokens), so bytes are held back until the character is complete;
/// only whole characters are returned and a surrogate pair is never split. The pieces add up to what
/// <see cref="TextTokenizer.Decode"/> gives for all the tokens at once, including a SentencePiece-style tokenizer's
/// stripped leading space. Not thread-safe: one per request.
/// </summary>
public sealed class IncrementalDetokenizer(TextTokenizer tokenizer, bool skipSpecialTokens = false)
{
    // UTF8Encoding's decoder keeps an incomplete sequence between calls and replaces only truly invalid bytes.
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private char[] _chars = new char[64];
    private int _spacesToStrip = tokenizer.LeadingSpacesStripped;

    /// <summary>Adds one token and returns the text it completes (often empty while a character is still partial).</summary>
    public string Push(int tokenId)
    {
        if (skipSpecialTokens && tokenizer.IsSpecial(tokenId))
        {
            return "";
        }

        ReadOnlySpan<byte> bytes = tokenizer.TokenBytes(tokenId);
        while (_spacesToStrip > 0 && bytes.Length > 0)
        {
            // Only spaces at the very start of the text are stripped; the first other byte ends that.
            _spacesToStrip = bytes[0] == (byte)' ' ? _spacesToStrip - 1 : 0;
            bytes = bytes[0] == (byte)' ' ? bytes[1..] : bytes;
        }

        return DecodeBytes(bytes, flush: false);
    }

    /// <summary>Ends the stream: bytes still held back (a truncated character) come out as U+FFFD.</summary>
    public string Flush() => DecodeBytes([], flush: true);

    private string DecodeBytes(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = _decoder.GetCharCount(bytes, flush: false) + 4;
        if (_chars.Length < needed)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }

        int count = _decoder.GetChars(bytes, _chars, flush);
        return count == 0 ? "" : new string(_chars, 0, count);
    }
}
