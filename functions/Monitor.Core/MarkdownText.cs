using System.Text;

namespace Monitor.Core;

/// <summary>Escaping for values placed in Markdown (digests, Teams cards), so that a request ID shows as written.</summary>
public static class MarkdownText
{
    /// <summary>
    /// Backslash-escapes Markdown's emphasis, code, heading, link and table characters, and writes &amp; &lt; &gt;
    /// as entities (renderers accept inline HTML). <paramref name="foldLineBreaks"/> keeps a value on one table row.
    /// </summary>
    public static string Escape(string text, bool foldLineBreaks)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '\r' or '\n' when foldLineBreaks: builder.Append(' '); break;
                case '\\' or '|' or '*' or '_' or '`' or '[' or ']' or '#' or '~':
                    builder.Append('\\').Append(c);
                    break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }
}
