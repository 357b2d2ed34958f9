using System.Globalization;
using System.Text;

namespace Monitor.Core.Reporting;

/// <summary>
/// Writes RFC 4180 CSV that is safe to open in a spreadsheet: a text cell that starts with = + - @, a tab or a carriage
/// return is prefixed with an apostrophe so that Excel, LibreOffice and Sheets show it as text instead of running it as a
/// formula (CSV injection). Numbers are written with the invariant culture and are never prefixed.
/// </summary>
public sealed class CsvText
{
    private readonly StringBuilder _text = new();

    public CsvText(params string[] header) => Row(header);

    /// <summary>Adds a row; strings are text cells, numbers and booleans are formatted invariantly, null is empty.</summary>
    public CsvText Row(params object?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                _text.Append(',');
            }
            _text.Append(Cell(cells[i]));
        }
        _text.Append("\r\n");
        return this;
    }

    public override string ToString() => _text.ToString();

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    public static string Cell(object? value) => value switch
    {
        null => "",
        string s => Quote(Neutralise(s)),
        bool b => b ? "true" : "false",
        DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(Neutralise(value.ToString() ?? "")),
    };

    /// <summary>Prefixes a cell that a spreadsheet would read as a formula with an apostrophe.</summary>
    public static string Neutralise(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '))
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
