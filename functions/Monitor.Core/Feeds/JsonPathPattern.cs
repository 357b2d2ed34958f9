namespace Monitor.Core.Feeds;

/// <summary>
/// A path to the JSON values a parser wants, such as <c>$.objects[*]</c> or <c>$.Event.Object[*].Attribute[*]</c>.
/// Segments are property names (exact, case-sensitive as in JSON; <c>*</c> for any property) and <c>[*]</c> for any array element.
/// </summary>
internal sealed class JsonPathPattern
{
    // null = any array element; "*" = any property; otherwise a property name.
    private readonly string?[] _segments;

    private JsonPathPattern(string text, string?[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>Number of segments after <c>$</c>.</summary>
    public int Length => _segments.Length;

    /// <exception cref="FormatException">The text is not a path of the supported form.</exception>
    public static JsonPathPattern Parse(string text)
    {
        if (!text.StartsWith('$'))
        {
            throw new FormatException($"JSON path '{text}' must start with '$'");
        }

        var segments = new List<string?>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var end = text.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? text.Length : end;
                if (end == i + 1)
                {
                    throw new FormatException($"JSON path '{text}' has an empty property name");
                }

                segments.Add(text[(i + 1)..end]);
                i = end;
            }
            else if (string.CompareOrdinal(text, i, "[*]", 0, 3) == 0)
            {
                segments.Add(null);
                i += 3;
            }
            else
            {
                throw new FormatException($"JSON path '{text}' has an unsupported segment at {i}");
            }
        }

        return new JsonPathPattern(text, [.. segments]);
    }

    /// <summary>Whether segment <paramref name="position"/> accepts a property (<paramref name="property"/> not null) or an array element (null).</summary>
    internal bool Accepts(int position, string? property) =>
        position < _segments.Length && _segments[position] switch
        {
            null => property is null,
            "*" => property is not null,
            var name => property is not null && string.Equals(name, property, StringComparison.Ordinal),
        };

    public override string ToString() => Text;
}
