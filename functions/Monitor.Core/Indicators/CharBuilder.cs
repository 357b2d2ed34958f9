using System.Buffers;

namespace Monitor.Core.Indicators;

/// <summary>
/// A growable char buffer that starts on caller-provided (usually stack) memory and rents from the shared pool only
/// when a value outgrows it, so normalising an ordinary indicator allocates nothing but the result string.
/// </summary>
internal ref struct CharBuilder(Span<char> initial)
{
    private Span<char> _chars = initial;
    private char[]? _rented;
    private int _length;

    public int Length
    {
        readonly get => _length;
        set => _length = value;
    }

    public readonly ReadOnlySpan<char> Written => _chars[.._length];

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }

        _chars[_length++] = c;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        text.CopyTo(AppendSpan(text.Length));
    }

    /// <summary>Appends ASCII text with A-Z folded to a-z (callers have already checked the text is ASCII).</summary>
    public void AppendAsciiLower(scoped ReadOnlySpan<char> text)
    {
        System.Text.Ascii.ToLower(text, AppendSpan(text.Length), out _);
    }

    public void AppendNumber(int value)
    {
        if (!value.TryFormat(_chars[_length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            Grow(11);
            value.TryFormat(_chars[_length..], out written, default, System.Globalization.CultureInfo.InvariantCulture);
        }

        _length += written;
    }

    public Span<char> AppendSpan(int count)
    {
        if (_length > _chars.Length - count)
        {
            Grow(count);
        }

        var span = _chars.Slice(_length, count);
        _length += count;
        return span;
    }

    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private void Grow(int additional)
    {
        var next = ArrayPool<char>.Shared.Rent(Math.Max(_length + additional, _chars.Length * 2));
        _chars[.._length].CopyTo(next);
        if (_rented is { } old)
        {
            ArrayPool<char>.Shared.Return(old);
        }

        _rented = next;
        _chars = next;
    }
}
