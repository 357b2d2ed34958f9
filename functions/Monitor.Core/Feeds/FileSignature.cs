namespace Monitor.Core.Feeds;

/// <summary>
/// Names what a file that is not a text feed appears to be, from its first bytes (its "magic number"), so that a
/// spreadsheet or a screenshot pushed by mistake is quarantined with that said, not as "not UTF-8".
/// </summary>
internal static class FileSignature
{
    private static readonly (byte[] Magic, string Kind, string Hint)[] Known =
    [
        ([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], "a PNG image", "push the feed file itself"),
        ([0xFF, 0xD8, 0xFF], "a JPEG image", "push the feed file itself"),
        ("GIF8"u8.ToArray(), "a GIF image", "push the feed file itself"),
        ("%PDF-"u8.ToArray(), "a PDF document", "export the data as CSV or JSON"),
        ([(byte)'P', (byte)'K', 0x03, 0x04], "a ZIP archive (an .xlsx or .docx file is one)", "export the sheet as CSV, or unzip the archive and push the files inside"),
        ([(byte)'P', (byte)'K', 0x05, 0x06], "an empty ZIP archive", "push the feed file itself"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "an Office 97-2003 document (.xls or .doc)", "export the sheet as CSV"),
        ([(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C], "a 7-Zip archive", "unpack it and push the files inside"),
        ("BZh"u8.ToArray(), "a bzip2 archive", "recompress it with gzip, or push it uncompressed"),
        ([0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00], "an xz archive", "recompress it with gzip, or push it uncompressed"),
        ([(byte)'R', (byte)'a', (byte)'r', (byte)'!', 0x1A, 0x07], "a RAR archive", "unpack it and push the files inside"),
    ];

    /// <summary>Why a file starting with <paramref name="head"/> is not a feed, or null when its start is no known binary format.</summary>
    public static string? Problem(ReadOnlySpan<byte> head)
    {
        foreach (var (magic, kind, hint) in Known)
        {
            if (head.StartsWith(magic))
            {
                return $"the file appears to be {kind}, not a feed (CSV, JSON, NDJSON, STIX or MISP text): {hint}";
            }
        }
        return null;
    }

    /// <summary>Bytes enough to recognise every signature above.</summary>
    public const int HeadBytes = 8;
}
