using Monitor.Core.Indicators;
using Xunit;

namespace Monitor.Tests.Indicators;

public sealed class IndicatorMathTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", 8, false)]
    [InlineData("10.1.2.3/8", "10.0.0.0", 8, false)]
    [InlineData("1.2.3.4", "1.2.3.4", 32, false)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0, false)]
    [InlineData("2001:db8::/32", "2001:db8::", 32, true)]
    [InlineData("::1", "::1", 128, true)]
    [InlineData("::/0", "::", 0, true)]
    public void Parses_networks(string canonical, string networkAddress, int prefix, bool isV6)
    {
        Assert.True(IndicatorMath.TryParseNetwork(canonical, out var network, out var prefixLength, out var v6));

        Assert.Equal(ToUInt128(networkAddress), network);
        Assert.Equal(prefix, prefixLength);
        Assert.Equal(isV6, v6);
    }

    [Fact]
    public void Ipv4_lives_in_the_low_32_bits()
    {
        Assert.True(IndicatorMath.TryParseNetwork("192.168.1.0/24", out var network, out _, out var isV6));

        Assert.False(isV6);
        Assert.Equal((UInt128)0xC0A80100u, network);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("10.0.0.0/33")]
    [InlineData("::/129")]
    [InlineData("1.2.3.4/")]
    [InlineData("1.2.3.4/x")]
    [InlineData("1.2.3")]
    [InlineData("fe80::1%eth0")]
    public void Rejects_bad_networks(string text)
    {
        Assert.False(IndicatorMath.TryParseNetwork(text, out _, out _, out _));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("192.168.1.0/24", "192.168.2.1", false)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("1.2.3.4", "1.2.3.4", true)]
    [InlineData("10.0.0.0/8", "10.2.0.0/16", true)]
    [InlineData("10.2.0.0/16", "10.0.0.0/8", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::/0", "::1", true)]
    [InlineData("::/0", "1.2.3.4", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.0.0.1", false)]
    [InlineData("10.0.0.0/8", "garbage", false)]
    [InlineData("garbage", "10.0.0.1", false)]
    public void Checks_containment(string cidr, string ip, bool expected)
    {
        Assert.Equal(expected, IndicatorMath.Contains(cidr, ip));
    }

    [Theory]
    [InlineData("http://example.com/", "example.com")]
    [InlineData("https://user:pw@example.com:8443/x?y=1", "example.com")]
    [InlineData("http://[2001:db8::1]:8080/", "2001:db8::1")]
    [InlineData("http://1.2.3.4/a", "1.2.3.4")]
    [InlineData("http://example.com?q=a/b", "example.com")]
    [InlineData("example.com", null)]
    [InlineData("http:///x", null)]
    [InlineData("", null)]
    public void Extracts_url_hosts(string url, string? host)
    {
        Assert.Equal(host, IndicatorMath.HostOfUrl(url));
    }

    [Fact]
    public void Host_of_a_normalised_url_matches_the_normalised_host()
    {
        Assert.True(IndicatorNormalizer.TryNormalize("hxxps://[2001:DB8::0001]:443/x", out var url, out _));
        Assert.True(IndicatorNormalizer.TryNormalize("2001:db8:0::1", out var ip, out _));

        Assert.Equal(ip.Value, IndicatorMath.HostOfUrl(url.Value));
    }

    [Theory]
    [InlineData("a.b.example.com", new[] { "b.example.com", "example.com" })]
    [InlineData("www.example.com", new[] { "example.com" })]
    [InlineData("example.com", new string[0])]
    [InlineData("com", new string[0])]
    [InlineData("", new string[0])]
    [InlineData("x.example.co.uk", new[] { "example.co.uk", "co.uk" })]
    public void Lists_parent_domains(string domain, string[] expected)
    {
        Assert.Equal(expected, IndicatorMath.ParentDomains(domain));
    }

    private static UInt128 ToUInt128(string address)
    {
        var bytes = System.Net.IPAddress.Parse(address).GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }
}
