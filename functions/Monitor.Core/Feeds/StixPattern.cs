using System.Diagnostics.CodeAnalysis;
using System.Text;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// The indicators a STIX 2.x pattern names. The whole patterning grammar is checked (observation expressions with
/// AND / OR / FOLLOWEDBY, qualifiers, comparison expressions with AND / OR and parentheses, every operator and literal),
/// but only what a matcher can use becomes an indicator: <c>=</c> and <c>IN</c> comparisons on the value of an address,
/// domain, URL or e-mail address, or on a file hash. Every other part is named in <see cref="Warnings"/>, never dropped
/// silently. Because a record matches on any indicator it names, AND, OR and FOLLOWEDBY all simply collect.
/// </summary>
internal sealed class StixPattern
{
    private const int MaxNesting = 100;

    private StixPattern(IReadOnlyList<RawIndicator> indicators, IReadOnlyList<string> warnings)
    {
        Indicators = indicators;
        Warnings = warnings;
    }

    public IReadOnlyList<RawIndicator> Indicators { get; }

    /// <summary>Parts understood but not usable: "unsupported pattern part: …", "qualifier ignored: …".</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Parses <paramref name="text"/>; false with the reason (and character position) when it is not a valid pattern.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out StixPattern? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        if (!Lexer.TryTokenize(text, out var tokens, out error))
        {
            return false;
        }

        var parser = new Parser(text, tokens);
        if (!parser.TryParse(out error))
        {
            return false;
        }

        pattern = new StixPattern(parser.Indicators, parser.Warnings);
        return true;
    }

    private enum TokenKind
    {
        LeftBracket,
        RightBracket,
        LeftParen,
        RightParen,
        Comma,
        Colon,
        Dot,
        Star,
        Operator,
        Word,
        String,
        TypedString,
        Number,
        End,
    }

    /// <param name="Text">The word, operator or number as written; for strings the unescaped value.</param>
    private readonly record struct Token(TokenKind Kind, string Text, int Start, int End, char Prefix = '\0')
    {
        public bool IsKeyword(string keyword) => Kind == TokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

        public string Describe() => Kind == TokenKind.End ? "the end of the pattern" : $"'{Text}'";
    }

    private static class Lexer
    {
        public static bool TryTokenize(string text, out List<Token> tokens, [NotNullWhen(false)] out string? error)
        {
            tokens = [];
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                var start = i;
                switch (c)
                {
                    case '[': tokens.Add(new(TokenKind.LeftBracket, "[", start, ++i)); continue;
                    case ']': tokens.Add(new(TokenKind.RightBracket, "]", start, ++i)); continue;
                    case '(': tokens.Add(new(TokenKind.LeftParen, "(", start, ++i)); continue;
                    case ')': tokens.Add(new(TokenKind.RightParen, ")", start, ++i)); continue;
                    case ',': tokens.Add(new(TokenKind.Comma, ",", start, ++i)); continue;
                    case ':': tokens.Add(new(TokenKind.Colon, ":", start, ++i)); continue;
                    case '.': tokens.Add(new(TokenKind.Dot, ".", start, ++i)); continue;
                    case '*': tokens.Add(new(TokenKind.Star, "*", start, ++i)); continue;
                    case '=':
                        tokens.Add(new(TokenKind.Operator, "=", start, ++i));
                        continue;
                    case '!' or '<' or '>':
                        i++;
                        if (i < text.Length && text[i] == '=')
                        {
                            i++;
                        }
                        else if (c == '!')
                        {
                            error = $"invalid STIX pattern at character {start + 1}: '!' must be followed by '='";
                            return false;
                        }

                        tokens.Add(new(TokenKind.Operator, text[start..i], start, i));
                        continue;
                    case '\'':
                        if (!TryReadString(text, ref i, out var value, out error))
                        {
                            return false;
                        }

                        tokens.Add(new(TokenKind.String, value, start, i));
                        continue;
                }

                if ((c is 't' or 'h' or 'b') && i + 1 < text.Length && text[i + 1] == '\'')
                {
                    i++;
                    if (!TryReadString(text, ref i, out var value, out error))
                    {
                        return false;
                    }

                    tokens.Add(new(TokenKind.TypedString, value, start, i, c));
                    continue;
                }

                if (char.IsAsciiDigit(c) || ((c is '-' or '+') && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    i++;
                    while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                    {
                        i++;
                    }

                    tokens.Add(new(TokenKind.Number, text[start..i], start, i));
                    continue;
                }

                if (char.IsAsciiLetter(c) || c == '_')
                {
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-'))
                    {
                        i++;
                    }

                    tokens.Add(new(TokenKind.Word, text[start..i], start, i));
                    continue;
                }

                error = $"invalid STIX pattern at character {start + 1}: unexpected '{c}'";
                return false;
            }

            tokens.Add(new(TokenKind.End, "", text.Length, text.Length));
            error = null;
            return true;
        }

        /// <summary>A quoted literal starting at <paramref name="i"/> (on the quote). \' and \\ are the escapes the grammar defines; any other backslash is kept as written, as regular expressions in MATCHES need it.</summary>
        private static bool TryReadString(string text, ref int i, out string value, [NotNullWhen(false)] out string? error)
        {
            var start = i;
            var builder = new StringBuilder();
            i++;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < text.Length && text[i + 1] is '\'' or '\\')
                {
                    builder.Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                if (c == '\'')
                {
                    i++;
                    value = builder.ToString();
                    error = null;
                    return true;
                }

                builder.Append(c);
                i++;
            }

            value = "";
            error = $"invalid STIX pattern at character {start + 1}: the string is not closed";
            return false;
        }
    }

    /// <summary>Recursive descent over the STIX 2.1 patterning grammar, collecting as it goes.</summary>
    private sealed class Parser(string text, List<Token> tokens)
    {
        private int _next;
        private int _nesting;

        public List<RawIndicator> Indicators { get; } = [];

        public List<string> Warnings { get; } = [];

        private Token Current => tokens[_next];

        public bool TryParse([NotNullWhen(false)] out string? error)
        {
            try
            {
                ObservationExpressions();
                if (Current.Kind != TokenKind.End)
                {
                    throw Fail($"expected AND, OR, FOLLOWEDBY or the end of the pattern, found {Current.Describe()}");
                }

                error = null;
                return true;
            }
            catch (PatternException ex)
            {
                error = ex.Message;
                return false;
            }
        }

        private void ObservationExpressions()
        {
            ObservationOr();
            while (Accept("FOLLOWEDBY"))
            {
                ObservationOr();
            }
        }

        private void ObservationOr()
        {
            ObservationAnd();
            while (Accept("OR"))
            {
                ObservationAnd();
            }
        }

        private void ObservationAnd()
        {
            Observation();
            while (Accept("AND"))
            {
                Observation();
            }
        }

        private void Observation()
        {
            Enter();
            if (Current.Kind == TokenKind.LeftBracket)
            {
                _next++;
                ComparisonOr();
                Expect(TokenKind.RightBracket, "']'");
            }
            else if (Current.Kind == TokenKind.LeftParen)
            {
                _next++;
                ObservationExpressions();
                Expect(TokenKind.RightParen, "')'");
            }
            else
            {
                throw Fail($"expected '[' or '(' to start an observation, found {Current.Describe()}");
            }

            Qualifiers();
            _nesting--;
        }

        private void Qualifiers()
        {
            while (true)
            {
                var start = Current.Start;
                if (Accept("WITHIN"))
                {
                    Expect(TokenKind.Number, "a number of seconds after WITHIN");
                    ExpectKeyword("SECONDS");
                }
                else if (Accept("START"))
                {
                    ExpectTimestamp("START");
                    ExpectKeyword("STOP");
                    ExpectTimestamp("STOP");
                }
                else if (Accept("REPEATS"))
                {
                    Expect(TokenKind.Number, "a count after REPEATS");
                    ExpectKeyword("TIMES");
                }
                else
                {
                    return;
                }

                Warnings.Add($"qualifier ignored: {Source(start)}");
            }
        }

        private void ComparisonOr()
        {
            ComparisonAnd();
            while (Accept("OR"))
            {
                ComparisonAnd();
            }
        }

        private void ComparisonAnd()
        {
            Comparison();
            while (Accept("AND"))
            {
                Comparison();
            }
        }

        private void Comparison()
        {
            Enter();
            var start = Current.Start;
            if (Current.Kind == TokenKind.LeftParen)
            {
                _next++;
                ComparisonOr();
                Expect(TokenKind.RightParen, "')'");
                _nesting--;
                return;
            }

            if (Accept("EXISTS"))
            {
                ObjectPath();
                Unsupported(start);
                _nesting--;
                return;
            }

            var path = ObjectPath();
            var negated = Accept("NOT");
            var op = Current;
            if (op.Kind == TokenKind.Operator)
            {
                _next++;
                var literal = Literal();
                if (!negated && op.Text == "=" && literal.Kind == TokenKind.String && path is { } supported)
                {
                    Add(supported, literal.Text, start);
                }
                else
                {
                    Unsupported(start);
                }
            }
            else if (Accept("IN"))
            {
                var values = SetLiteral();
                if (!negated && path is { } supported && values.TrueForAll(v => v.Kind == TokenKind.String))
                {
                    foreach (var value in values)
                    {
                        Add(supported, value.Text, start);
                    }
                }
                else
                {
                    Unsupported(start);
                }
            }
            else if (Accept("LIKE") || Accept("MATCHES") || Accept("ISSUBSET") || Accept("ISSUPERSET"))
            {
                Expect(TokenKind.String, "a quoted string");
                Unsupported(start);
            }
            else
            {
                throw Fail($"expected a comparison operator, IN, LIKE, MATCHES, ISSUBSET or ISSUPERSET, found {Current.Describe()}");
            }

            _nesting--;
        }

        /// <summary>Reads an object path; returns what kind of value it names, or null when no matcher can use it.</summary>
        private ValueKind? ObjectPath()
        {
            var type = Expect(TokenKind.Word, "an object type such as 'ipv4-addr'");
            Expect(TokenKind.Colon, "':' after the object type");
            var components = new List<string> { PathName() };
            while (true)
            {
                if (Current.Kind == TokenKind.Dot)
                {
                    _next++;
                    components.Add(PathName());
                }
                else if (Current.Kind == TokenKind.LeftBracket)
                {
                    _next++;
                    if (Current.Kind is TokenKind.Star or TokenKind.Number)
                    {
                        _next++;
                    }
                    else
                    {
                        throw Fail($"expected a list index or '*', found {Current.Describe()}");
                    }

                    Expect(TokenKind.RightBracket, "']' after the list index");
                    components.Add("[]");
                }
                else
                {
                    break;
                }
            }

            return Classify(type.Text.ToLowerInvariant(), components);
        }

        private string PathName()
        {
            var token = Current;
            if (token.Kind is TokenKind.Word or TokenKind.String)
            {
                _next++;
                return token.Text;
            }

            throw Fail($"expected a property name, found {token.Describe()}");
        }

        private Token Literal()
        {
            var token = Current;
            if (token.Kind is TokenKind.String or TokenKind.TypedString or TokenKind.Number || token.IsKeyword("true") || token.IsKeyword("false"))
            {
                _next++;
                return token;
            }

            throw Fail($"expected a value, found {token.Describe()}");
        }

        private List<Token> SetLiteral()
        {
            Expect(TokenKind.LeftParen, "'(' to start the IN list");
            var values = new List<Token> { Literal() };
            while (Current.Kind == TokenKind.Comma)
            {
                _next++;
                values.Add(Literal());
            }

            Expect(TokenKind.RightParen, "')' to close the IN list");
            return values;
        }

        private void Add(ValueKind kind, string value, int start)
        {
            var trimmed = value.Trim();
            if (trimmed.Length == 0)
            {
                Warnings.Add($"empty value ignored: {Source(start)}");
                return;
            }

            IndicatorType? hint = kind switch
            {
                ValueKind.Address => trimmed.Contains('/') ? IndicatorType.Cidr : IndicatorType.Ip,
                ValueKind.Domain => IndicatorType.Domain,
                ValueKind.Url => IndicatorType.Url,
                ValueKind.Email => IndicatorType.Email,
                ValueKind.Md5 => IndicatorType.Md5,
                ValueKind.Sha1 => IndicatorType.Sha1,
                ValueKind.Sha256 => IndicatorType.Sha256,
                ValueKind.Sha512 => IndicatorType.Sha512,
                _ => null,
            };
            Indicators.Add(new RawIndicator(trimmed, hint));
        }

        private void Unsupported(int start) => Warnings.Add($"unsupported pattern part: {Source(start)}");

        private string Source(int start)
        {
            var end = _next > 0 ? tokens[_next - 1].End : start;
            return FeedFieldParsing.Shorten(text[start..end].Trim(), 200);
        }

        private void Enter()
        {
            if (++_nesting > MaxNesting)
            {
                throw Fail($"nested deeper than {MaxNesting} levels");
            }
        }

        private bool Accept(string keyword)
        {
            if (Current.IsKeyword(keyword))
            {
                _next++;
                return true;
            }

            return false;
        }

        private Token Expect(TokenKind kind, string what)
        {
            var token = Current;
            if (token.Kind != kind)
            {
                throw Fail($"expected {what}, found {token.Describe()}");
            }

            _next++;
            return token;
        }

        private void ExpectKeyword(string keyword)
        {
            if (!Accept(keyword))
            {
                throw Fail($"expected {keyword}, found {Current.Describe()}");
            }
        }

        private void ExpectTimestamp(string after)
        {
            if (Current is not { Kind: TokenKind.TypedString, Prefix: 't' })
            {
                throw Fail($"expected a timestamp t'…' after {after}, found {Current.Describe()}");
            }

            _next++;
        }

        private PatternException Fail(string message) => new($"invalid STIX pattern at character {Current.Start + 1}: {message}");
    }

    private enum ValueKind
    {
        Address,
        Domain,
        Url,
        Email,
        Md5,
        Sha1,
        Sha256,
        Sha512,
        Untyped,
    }

    private static ValueKind? Classify(string type, List<string> path) => (type, path) switch
    {
        ("ipv4-addr" or "ipv6-addr", ["value"]) => ValueKind.Address,
        ("domain-name", ["value"]) => ValueKind.Domain,
        ("url", ["value"]) => ValueKind.Url,
        ("email-addr", ["value"]) => ValueKind.Email,
        ("email-message", ["from_ref" or "sender_ref", "value"]) => ValueKind.Email,
        ("email-message", ["to_refs" or "cc_refs" or "bcc_refs", "[]", "value"]) => ValueKind.Email,
        // Either end of a connection: an IPv4 or IPv6 address (or a domain); the normaliser tells which.
        ("network-traffic", ["src_ref" or "dst_ref", "value"]) => ValueKind.Untyped,
        ("file", ["hashes", var algorithm]) => HashKind(algorithm),
        _ => null,
    };

    /// <summary>STIX writes 'SHA-256' (2.1 vocabulary), SHA256 or sha256 (2.0 and producers in the wild).</summary>
    private static ValueKind? HashKind(string algorithm) =>
        algorithm.Replace("-", "").Replace("_", "").ToUpperInvariant() switch
        {
            "MD5" => ValueKind.Md5,
            "SHA1" => ValueKind.Sha1,
            "SHA256" => ValueKind.Sha256,
            "SHA512" => ValueKind.Sha512,
            _ => null,
        };

    /// <summary>The indicator type of a supported file-hash algorithm name, for observables as well as patterns.</summary>
    internal static IndicatorType? HashType(string algorithm) => HashKind(algorithm) switch
    {
        ValueKind.Md5 => IndicatorType.Md5,
        ValueKind.Sha1 => IndicatorType.Sha1,
        ValueKind.Sha256 => IndicatorType.Sha256,
        ValueKind.Sha512 => IndicatorType.Sha512,
        _ => null,
    };

    private sealed class PatternException(string message) : Exception(message);
}
