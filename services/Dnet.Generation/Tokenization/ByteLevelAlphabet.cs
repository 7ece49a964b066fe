namespace Dnet.Generation.Tokenization;

/// <summary>
/// GPT-2's byte-to-character table: byte-level BPE vocabularies spell every byte as one printable character
/// (space is 'Ġ', newline is 'Ċ'), so that tokens are ordinary strings in tokenizer.json.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly short[] CharToByte = BuildCharToByte();

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    public static char Encode(byte value) => ByteToChar[value];

    /// <summary>Spells raw bytes in the byte-level alphabet.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                chars[i] = ByteToChar[source[i]];
            }
        });
    }

    /// <summary>Turns a byte-level token back into its bytes; false when a character is outside the alphabet.</summary>
    public static bool TryDecode(string token, out byte[] bytes)
    {
        bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            if (c >= CharToByte.Length || CharToByte[c] < 0)
            {
                return false;
            }

            bytes[i] = (byte)CharToByte[c];
        }

        return true;
    }

    private static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes map to themselves; the others are shifted to 256 + n in byte order.
        var table = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)(256 + next++);
        }

        return table;
    }

    private static short[] BuildCharToByte()
    {
        var table = new short[512];
        Array.Fill(table, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            table[ByteToChar[b]] = (short)b;
        }

        return table;
    }
}
