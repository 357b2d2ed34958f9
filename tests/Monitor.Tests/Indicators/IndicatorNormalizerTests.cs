using Monitor.Core.Indicators;
using Xunit;

namespace Monitor.Tests.Indicators;

public sealed class IndicatorNormalizerTests
{
    private const string Md5 = "d41d8cd98f00b204e9800998ecf8427e";
    private const string Md5Upper = "D41D8CD98F00B204E9800998ECF8427E";
    private const string Sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    private const string Sha1Upper = "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709";
    private const string Sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Sha256Upper = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    private const string Sha512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    private const string Sha512Upper = "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E";
    private const string Label64 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    [Theory]
    // IPv4, plain and defanged
    [InlineData("1.2.3.4", IndicatorType.Ip, "1.2.3.4")]
    [InlineData("  8.8.8.8\t", IndicatorType.Ip, "8.8.8.8")]
    [InlineData("1.2.3[.]4", IndicatorType.Ip, "1.2.3.4")]
    [InlineData("192(.)168(.)1(.)1", IndicatorType.Ip, "192.168.1.1")]
    [InlineData("10[dot]0[DOT]0(dot)1", IndicatorType.Ip, "10.0.0.1")]
    [InlineData("0.0.0.0", IndicatorType.Ip, "0.0.0.0")]
    [InlineData("255.255.255.255", IndicatorType.Ip, "255.255.255.255")]
    // IPv6: compression, leading zeros, upper case, mapped, brackets
    [InlineData("2001:0DB8:0000:0000:0000:0000:0000:0001", IndicatorType.Ip, "2001:db8::1")]
    [InlineData("2001:db8:0:0:1:0:0:1", IndicatorType.Ip, "2001:db8::1:0:0:1")]
    [InlineData("2001:db8:0:1:0:0:0:1", IndicatorType.Ip, "2001:db8:0:1::1")]
    [InlineData("FE80::ABCD", IndicatorType.Ip, "fe80::abcd")]
    [InlineData("::1", IndicatorType.Ip, "::1")]
    [InlineData("::", IndicatorType.Ip, "::")]
    [InlineData("::ffff:1.2.3.4", IndicatorType.Ip, "::ffff:1.2.3.4")]
    [InlineData("0:0:0:0:0:FFFF:0102:0304", IndicatorType.Ip, "::ffff:1.2.3.4")]
    [InlineData("[2001:db8::1]", IndicatorType.Ip, "2001:db8::1")]
    [InlineData("2001[:]db8[:][:]1", IndicatorType.Ip, "2001:db8::1")]
    // CIDR: host bits, /0, full-length prefixes become Ip
    [InlineData("10.1.2.3/8", IndicatorType.Cidr, "10.0.0.0/8")]
    [InlineData("192.168.1.0/24", IndicatorType.Cidr, "192.168.1.0/24")]
    [InlineData("10.1.2.3/31", IndicatorType.Cidr, "10.1.2.2/31")]
    [InlineData("0.0.0.0/0", IndicatorType.Cidr, "0.0.0.0/0")]
    [InlineData("1.2.3.4/0", IndicatorType.Cidr, "0.0.0.0/0")]
    [InlineData("1.2.3.4/32", IndicatorType.Ip, "1.2.3.4")]
    [InlineData("10[.]0[.]0[.]0/16", IndicatorType.Cidr, "10.0.0.0/16")]
    [InlineData("2001:DB8:ffff::/32", IndicatorType.Cidr, "2001:db8::/32")]
    [InlineData("2001:db8::ffff/127", IndicatorType.Cidr, "2001:db8::fffe/127")]
    [InlineData("2001:db8::1/128", IndicatorType.Ip, "2001:db8::1")]
    [InlineData("::/0", IndicatorType.Cidr, "::/0")]
    [InlineData("fe80::1:2:3:4/64", IndicatorType.Cidr, "fe80::/64")]
    // Domains: case, trailing dots, defanging, IDN
    [InlineData("Example.COM", IndicatorType.Domain, "example.com")]
    [InlineData("example.com.", IndicatorType.Domain, "example.com")]
    [InlineData("www[.]evil(.)com", IndicatorType.Domain, "www.evil.com")]
    [InlineData("sub{.}domain[dot]example[.]org", IndicatorType.Domain, "sub.domain.example.org")]
    [InlineData("bücher.example", IndicatorType.Domain, "xn--bcher-kva.example")]
    [InlineData("BÜCHER.Example", IndicatorType.Domain, "xn--bcher-kva.example")]
    [InlineData("例え.jp", IndicatorType.Domain, "xn--r8jz45g.jp")]
    [InlineData("例え。jp", IndicatorType.Domain, "xn--r8jz45g.jp")]
    [InlineData("münchen[.]de.", IndicatorType.Domain, "xn--mnchen-3ya.de")]
    [InlineData("xn--BCHER-kva.example", IndicatorType.Domain, "xn--bcher-kva.example")]
    [InlineData("_dmarc.example.com", IndicatorType.Domain, "_dmarc.example.com")]
    [InlineData("deadbeef.cafe", IndicatorType.Domain, "deadbeef.cafe")]
    // URLs
    [InlineData("hxxp://evil[.]com/path", IndicatorType.Url, "http://evil.com/path")]
    [InlineData("hXXps://Evil.COM/Login?User=A", IndicatorType.Url, "https://evil.com/Login?User=A")]
    [InlineData("HXXP://evil.com", IndicatorType.Url, "http://evil.com/")]
    [InlineData("fxp://files.example.com/x", IndicatorType.Url, "ftp://files.example.com/x")]
    [InlineData("HTTP://EXAMPLE.COM", IndicatorType.Url, "http://example.com/")]
    [InlineData("http://example.com:80/a", IndicatorType.Url, "http://example.com/a")]
    [InlineData("https://example.com:443/", IndicatorType.Url, "https://example.com/")]
    [InlineData("ftp://files.example.com:21/pub", IndicatorType.Url, "ftp://files.example.com/pub")]
    [InlineData("http://example.com:8080/a", IndicatorType.Url, "http://example.com:8080/a")]
    [InlineData("https://example.com:80/", IndicatorType.Url, "https://example.com:80/")]
    [InlineData("http://example.com/a/b/../c/./d", IndicatorType.Url, "http://example.com/a/c/d")]
    [InlineData("http://example.com/a/b/..", IndicatorType.Url, "http://example.com/a/")]
    [InlineData("http://example.com/../../x", IndicatorType.Url, "http://example.com/x")]
    [InlineData("http://example.com/p#frag", IndicatorType.Url, "http://example.com/p")]
    [InlineData("http://example.com?q=1", IndicatorType.Url, "http://example.com/?q=1")]
    [InlineData("http://example.com/a?x=/../Y#z", IndicatorType.Url, "http://example.com/a?x=/../Y")]
    [InlineData("evil.com/malware.exe", IndicatorType.Url, "http://evil.com/malware.exe")]
    [InlineData("evil[.]com/Path/To", IndicatorType.Url, "http://evil.com/Path/To")]
    [InlineData("example.com:8080", IndicatorType.Url, "http://example.com:8080/")]
    [InlineData("1.2.3.4/malware", IndicatorType.Url, "http://1.2.3.4/malware")]
    [InlineData("1.2.3.4:8080/24", IndicatorType.Url, "http://1.2.3.4:8080/24")]
    [InlineData("[2001:db8::1]:8080", IndicatorType.Ip, "2001:db8::1")]
    [InlineData("192.0.2.1:8080", IndicatorType.Ip, "192.0.2.1")]
    [InlineData("2001:db8:0:0:0:0:0:1:443", IndicatorType.Ip, "2001:db8::1")]
    [InlineData("http://bücher.example/Straße", IndicatorType.Url, "http://xn--bcher-kva.example/Straße")]
    [InlineData("http://1.2.3.4:8080/x", IndicatorType.Url, "http://1.2.3.4:8080/x")]
    [InlineData("http://[2001:DB8::1]:443/x", IndicatorType.Url, "http://[2001:db8::1]:443/x")]
    [InlineData("https://[2001:DB8:0::1]:443", IndicatorType.Url, "https://[2001:db8::1]/")]
    [InlineData("hxxp[://]example[.]com/x", IndicatorType.Url, "http://example.com/x")]
    [InlineData("http[:]//example.com", IndicatorType.Url, "http://example.com/")]
    [InlineData("http://User:Pass@Example.com/", IndicatorType.Url, "http://User:Pass@example.com/")]
    [InlineData("http://example.com./", IndicatorType.Url, "http://example.com/")]
    [InlineData("http://@example.com/", IndicatorType.Url, "http://example.com/")]
    [InlineData("http://localhost:3000/", IndicatorType.Url, "http://localhost:3000/")]
    [InlineData("http://example.com:/a", IndicatorType.Url, "http://example.com/a")]
    // E-mail
    [InlineData("User@Example.COM", IndicatorType.Email, "user@example.com")]
    [InlineData("user[at]example[.]com", IndicatorType.Email, "user@example.com")]
    [InlineData("user(at)example(dot)com", IndicatorType.Email, "user@example.com")]
    [InlineData("info@bücher.example", IndicatorType.Email, "info@xn--bcher-kva.example")]
    [InlineData("John.Doe+tag@Mail.Example.org.", IndicatorType.Email, "john.doe+tag@mail.example.org")]
    [InlineData("mailto:Alice@Example.com", IndicatorType.Email, "alice@example.com")]
    [InlineData("email-src:bob[@]example.com", IndicatorType.Email, "bob@example.com")]
    // Hashes of each length, upper case folded
    [InlineData(Md5Upper, IndicatorType.Md5, Md5)]
    [InlineData(Sha1Upper, IndicatorType.Sha1, Sha1)]
    [InlineData(Sha256Upper, IndicatorType.Sha256, Sha256)]
    [InlineData(Sha512Upper, IndicatorType.Sha512, Sha512)]
    [InlineData(" " + Md5 + " ", IndicatorType.Md5, Md5)]
    // Type prefixes
    [InlineData("MD5:" + Md5Upper, IndicatorType.Md5, Md5)]
    [InlineData("sha-256: " + Sha256, IndicatorType.Sha256, Sha256)]
    [InlineData("SHA1:" + Sha1, IndicatorType.Sha1, Sha1)]
    [InlineData("sha512:" + Sha512Upper, IndicatorType.Sha512, Sha512)]
    [InlineData("ip:1.2.3.4", IndicatorType.Ip, "1.2.3.4")]
    [InlineData("IP-DST:10.0.0.0/8", IndicatorType.Cidr, "10.0.0.0/8")]
    [InlineData("ip-src:2001:DB8::1", IndicatorType.Ip, "2001:db8::1")]
    [InlineData("ipv6:::1", IndicatorType.Ip, "::1")]
    [InlineData("ipv4:1.2.3[.]4", IndicatorType.Ip, "1.2.3.4")]
    [InlineData("cidr:10.1.1.1/32", IndicatorType.Ip, "10.1.1.1")]
    [InlineData("domain:Example.com.", IndicatorType.Domain, "example.com")]
    [InlineData("hostname:mail.example.com", IndicatorType.Domain, "mail.example.com")]
    [InlineData("url:example.com", IndicatorType.Url, "http://example.com/")]
    [InlineData("URI:hxxp://example.com/x", IndicatorType.Url, "http://example.com/x")]
    [InlineData("email:Carol@Example.com", IndicatorType.Email, "carol@example.com")]
    public void Normalises_valid_values(string input, IndicatorType type, string value)
    {
        var ok = IndicatorNormalizer.TryNormalize(input, out var indicator, out var error);

        Assert.True(ok, error);
        Assert.Null(error);
        Assert.Equal(new Indicator(type, value), indicator);
    }

    [Theory]
    [InlineData("", "empty value")]
    [InlineData("   ", "empty value")]
    [InlineData("300.1.1.1", "not a valid IPv4 address: 300.1.1.1")]
    [InlineData("1.2.3", "not a valid IPv4 address: 1.2.3")]
    [InlineData("1.2.3.4.5", "not a valid IPv4 address")]
    [InlineData("010.1.1.1", "ambiguous leading zero")]
    [InlineData("010.1.1.0/24", "ambiguous leading zero")]
    [InlineData("d41d8cd98f00b204e9800998ecf8427", "hex string of length 31 is not a known hash length")]
    [InlineData("d41d8cd98f00b204e9800998ecf8427ee", "hex string of length 33 is not a known hash length")]
    [InlineData("foo:bar", "unsupported type prefix 'foo'")]
    [InlineData("10.0.0.0/33", "CIDR prefix length 33 is out of range 0-32")]
    [InlineData("2001:db8::/129", "CIDR prefix length 129 is out of range 0-128")]
    [InlineData("300.0.0.0/8", "not a valid IPv4 address")]
    [InlineData("fe80::1%eth0", "zone ids are not supported")]
    [InlineData("2001:db8::g", "not a valid IPv6 address")]
    [InlineData("1::2::3", "not a valid IPv6 address")]
    [InlineData("example", "not a recognised indicator: example")]
    [InlineData("exa mple.com", "not a valid domain")]
    [InlineData("example..com", "empty label")]
    [InlineData("example.123", "top-level label is numeric")]
    [InlineData("ex!ample.com", "invalid character '!'")]
    [InlineData(Label64 + ".com", "label longer than 63")]
    [InlineData("例え\u3000x.jp", "invalid character U+3000")]
    [InlineData("user@@example.com", "more than one '@'")]
    [InlineData("@example.com", "empty local part")]
    [InlineData("user@localhost", "at least two labels")]
    [InlineData("http://exa mple.com/", "whitespace")]
    [InlineData("http://example.com:99999/", "not a valid port")]
    [InlineData("http:///path", "URL has no host")]
    [InlineData("http://2001:db8::1/", "not a valid URL host")]
    [InlineData("http://300.1.1.1/", "not a valid IPv4 address: 300.1.1.1")]
    [InlineData("ht!tp://example.com/", "not a valid URL scheme")]
    [InlineData("md5:", "empty value after type prefix 'md5'")]
    [InlineData("md5:xyz", "declared md5")]
    [InlineData("ipv4:2001:db8::1", "value is an IPv6 address but declared type is ipv4")]
    [InlineData("sha1:" + Md5, "value is an md5 hash but declared type is sha1")]
    public void Rejects_invalid_values(string input, string expectedError)
    {
        var ok = IndicatorNormalizer.TryNormalize(input, out var indicator, out var error);

        Assert.False(ok);
        Assert.Equal(default, indicator);
        Assert.NotNull(error);
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Md5Upper, IndicatorType.Md5, IndicatorType.Md5, Md5)]
    [InlineData("10.0.0.0/8", IndicatorType.Ip, IndicatorType.Cidr, "10.0.0.0/8")]
    [InlineData("1.2.3.4", IndicatorType.Cidr, IndicatorType.Ip, "1.2.3.4")]
    [InlineData("example[.]com", IndicatorType.Url, IndicatorType.Url, "http://example.com/")]
    [InlineData("1.2.3.4", IndicatorType.Url, IndicatorType.Url, "http://1.2.3.4/")]
    [InlineData("2001:DB8::1", IndicatorType.Url, IndicatorType.Url, "http://[2001:db8::1]/")]
    [InlineData("domain:Example.com", IndicatorType.Domain, IndicatorType.Domain, "example.com")]
    [InlineData("ipv4:1.2.3.4", IndicatorType.Ip, IndicatorType.Ip, "1.2.3.4")]
    [InlineData("ip-dst:1.2.3.0/24", IndicatorType.Cidr, IndicatorType.Cidr, "1.2.3.0/24")]
    [InlineData("mailto:A@B.example", IndicatorType.Email, IndicatorType.Email, "a@b.example")]
    public void Declared_type_agrees_with_value(string input, IndicatorType hint, IndicatorType type, string value)
    {
        var ok = IndicatorNormalizer.TryNormalize(new RawIndicator(input, hint), out var indicator, out var error);

        Assert.True(ok, error);
        Assert.Equal(new Indicator(type, value), indicator);
    }

    [Theory]
    [InlineData(Sha1, IndicatorType.Md5, "value is a sha1 hash but declared type is md5")]
    [InlineData(Sha512, IndicatorType.Sha256, "value is a sha512 hash but declared type is sha256")]
    [InlineData("1.2.3.4", IndicatorType.Domain, "value is an IPv4 address but declared type is domain")]
    [InlineData("example.com", IndicatorType.Email, "value is a domain but declared type is email")]
    [InlineData("http://example.com/", IndicatorType.Domain, "value is a URL but declared type is domain")]
    [InlineData("10.0.0.0/8", IndicatorType.Url, "value is an IPv4 range but declared type is url")]
    [InlineData("md5:" + Md5, IndicatorType.Sha256, "type prefix 'md5' contradicts declared type sha256")]
    [InlineData("xyz", IndicatorType.Md5, "(declared md5)")]
    public void Declared_type_contradicted_by_value_is_an_error(string input, IndicatorType hint, string expectedError)
    {
        var ok = IndicatorNormalizer.TryNormalize(new RawIndicator(input, hint), out _, out var error);

        Assert.False(ok);
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Undefined_declared_type_is_an_error_not_an_exception()
    {
        var ok = IndicatorNormalizer.TryNormalize(new RawIndicator("1.2.3.4", (IndicatorType)99), out _, out var error);

        Assert.False(ok);
        Assert.Contains("unknown declared type", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_raw_indicator_is_an_empty_value()
    {
        Assert.False(IndicatorNormalizer.TryNormalize(default(RawIndicator), out _, out var error));
        Assert.Equal("empty value", error);
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("2001:db8::1")]
    [InlineData("10.0.0.0/8")]
    [InlineData("example.com")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("http://example.com/a?B=c")]
    [InlineData("https://[2001:db8::1]:8443/")]
    [InlineData("user@example.com")]
    [InlineData(Md5)]
    [InlineData(Sha512)]
    public void Canonical_values_are_returned_as_the_same_string(string canonical)
    {
        Assert.True(IndicatorNormalizer.TryNormalize(canonical, out var indicator, out _));

        Assert.Same(canonical, indicator.Value);
    }

    /// <summary>
    /// The runtime itself may allocate on this thread now and then (tiered JIT, a first-call stub), so one round can
    /// count bytes that are not ours. An allocation of the normaliser's own happens on every call, in every round: the
    /// claim is that some round of 100 passes allocates nothing at all, and that every round normalised every value.
    /// </summary>
    [Fact]
    public void Normalising_canonical_values_allocates_nothing()
    {
        string[] values = ["1.2.3.4", "example.com", Sha256, "http://example.com/path?q=1", "user@example.com", "10.0.0.0/8", "2001:db8::1", "::ffff:1.2.3.4"];
        foreach (var value in values)
        {
            IndicatorNormalizer.TryNormalize(value, out _, out _);
        }

        var rounds = new List<(long Allocated, int Normalised)>();
        for (var round = 0; round < 10; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var normalised = 0;
            for (var i = 0; i < 100; i++)
            {
                foreach (var value in values)
                {
                    normalised += IndicatorNormalizer.TryNormalize(value, out _, out _) ? 1 : 0;
                }
            }
            rounds.Add((GC.GetAllocatedBytesForCurrentThread() - before, normalised));
        }

        Assert.All(rounds, r => Assert.Equal(100 * values.Length, r.Normalised));
        Assert.True(rounds.Min(r => r.Allocated) == 0, $"every round allocated: {string.Join(", ", rounds.Select(r => r.Allocated))} bytes");
    }

    [Fact]
    public void Long_values_spill_from_the_stack_buffer_and_still_normalise()
    {
        var path = string.Concat(Enumerable.Repeat("/Segment", 200));
        var ok = IndicatorNormalizer.TryNormalize("HXXP://Example[.]com" + path + "/../x", out var indicator, out var error);

        Assert.True(ok, error);
        Assert.Equal("http://example.com" + path[..^"/Segment".Length] + "/x", indicator.Value);
    }

    [Fact]
    public void Long_invalid_values_are_shortened_in_the_error()
    {
        var value = "x" + new string('a', 5000) + " .com";

        Assert.False(IndicatorNormalizer.TryNormalize(value, out _, out var error));
        Assert.True(error.Length < 300, error);
    }

    [Fact]
    public void Random_garbage_never_throws_and_what_it_accepts_is_canonical()
    {
        // Built from the pieces the parsers branch on, so that odd combinations are reached.
        string[] pieces =
        [
            "a", "Z", "0", "1", "9", "ff", "255", "010", "example", "com", ".", "..", ":", "::", "/", "/..", "/.", "//",
            "http", "hxxps", "://", "[://]", "@", "[at]", "[.]", "(dot)", "?", "#", "%", "-", "_", " ", "\t", "ü", "。",
            "例", "\u200B", "[", "]", "md5:", "ip:", "url:", "ffff", "1.2.3.4", "/24", "/129",
        ];
        var random = new Random(3986);
        var builder = new System.Text.StringBuilder();
        var accepted = 0;
        for (var i = 0; i < 50_000; i++)
        {
            builder.Clear();
            var count = random.Next(1, 10);
            for (var p = 0; p < count; p++)
            {
                builder.Append(pieces[random.Next(pieces.Length)]);
            }

            var value = builder.ToString();
            var hint = random.Next(3) == 0 ? (IndicatorType?)random.Next(9) : null;
            if (IndicatorNormalizer.TryNormalize(new RawIndicator(value, hint), out var indicator, out var error))
            {
                accepted++;
                Assert.True(IndicatorNormalizer.TryNormalize(indicator.Value, out var again, out error), $"{value} -> {indicator.Value}: {error}");
                Assert.Equal(indicator, again);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error), value);
            }
        }

        Assert.InRange(accepted, 500, 49_500);
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("hxxp://Evil[.]com:80/a/./b/../c#f")]
    [InlineData("BÜCHER.example.")]
    [InlineData("User[at]Bücher.example")]
    [InlineData("2001:0DB8::0001/64")]
    [InlineData("::ffff:0:0")]
    [InlineData("evil.com/x")]
    [InlineData(Sha1Upper)]
    public void Normalising_is_idempotent(string input)
    {
        Assert.True(IndicatorNormalizer.TryNormalize(input, out var once, out _));
        Assert.True(IndicatorNormalizer.TryNormalize(once.Value, out var twice, out var error), error);

        Assert.Equal(once, twice);
    }

    [Theory]
    [InlineData("ip", IndicatorType.Ip)]
    [InlineData("IPv6", IndicatorType.Ip)]
    [InlineData("ip-dst", IndicatorType.Ip)]
    [InlineData("cidr", IndicatorType.Cidr)]
    [InlineData("hostname", IndicatorType.Domain)]
    [InlineData("uri", IndicatorType.Url)]
    [InlineData("SHA-256", IndicatorType.Sha256)]
    [InlineData(" email-src ", IndicatorType.Email)]
    public void Type_names_parse(string name, IndicatorType expected)
    {
        Assert.True(IndicatorTypes.TryParse(name, out var type));
        Assert.Equal(expected, type);
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("http")]
    [InlineData("")]
    public void Unknown_type_names_do_not_parse(string name)
    {
        Assert.False(IndicatorTypes.TryParse(name, out _));
    }
}
