namespace Monitor.Core.Indicators;

/// <summary>What kinds of character a value holds, found in one pass so that classifying a short value does not take
/// a separate vectorised scan per question.</summary>
[Flags]
internal enum ValueShape : ushort
{
    None = 0,
    Colon = 1,
    Slash = 2,
    At = 4,
    QueryOrFragment = 8,
    Dot = 16,
    NonHex = 32,
    NonDigitOrDot = 64,
    NonAscii = 128,
}

internal static class ValueShapes
{
    private static readonly ValueShape[] Ascii = Build();

    public static ValueShape Of(ReadOnlySpan<char> s)
    {
        var shape = ValueShape.None;
        var table = Ascii;
        foreach (var c in s)
        {
            shape |= c < 128 ? table[c] : ValueShape.NonAscii | ValueShape.NonHex | ValueShape.NonDigitOrDot;
        }

        return shape;
    }

    private static ValueShape[] Build()
    {
        var table = new ValueShape[128];
        for (var c = 0; c < 128; c++)
        {
            var shape = ValueShape.None;
            var digit = c is >= '0' and <= '9';
            if (!digit && c is not (>= 'a' and <= 'f') and not (>= 'A' and <= 'F'))
            {
                shape |= ValueShape.NonHex;
            }

            if (!digit && c != '.')
            {
                shape |= ValueShape.NonDigitOrDot;
            }

            shape |= c switch
            {
                ':' => ValueShape.Colon,
                '/' => ValueShape.Slash,
                '@' => ValueShape.At,
                '?' or '#' => ValueShape.QueryOrFragment,
                '.' => ValueShape.Dot,
                _ => ValueShape.None,
            };
            table[c] = shape;
        }

        return table;
    }
}
