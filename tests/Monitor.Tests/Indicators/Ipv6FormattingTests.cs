using System.Net;
using System.Net.Sockets;
using Monitor.Core.Indicators;
using Xunit;

namespace Monitor.Tests.Indicators;

/// <summary>The normaliser parses and prints IPv6 by hand to stay allocation-free; these tests hold it to what
/// System.Net.IPAddress does, so canonical values agree with anything else .NET prints.</summary>
public sealed class Ipv6FormattingTests
{
    [Fact]
    public void Prints_every_address_as_IPAddress_does()
    {
        var random = new Random(5952);
        var bytes = new byte[16];
        for (var i = 0; i < 20_000; i++)
        {
            var words = RandomWords(random);
            for (var w = 0; w < 8; w++)
            {
                bytes[2 * w] = (byte)(words[w] >> 8);
                bytes[(2 * w) + 1] = (byte)words[w];
            }

            var expected = new IPAddress(bytes).ToString();
            var full = string.Join(':', words.Select(w => w.ToString("X4")));

            Assert.True(IndicatorNormalizer.TryNormalize(full, out var indicator, out var error), error);
            Assert.Equal(new Indicator(IndicatorType.Ip, expected), indicator);
            Assert.True(IndicatorNormalizer.TryNormalize(expected, out var again, out error), error);
            Assert.Same(expected, again.Value);
        }
    }

    [Theory]
    [InlineData("::")]
    [InlineData("1::")]
    [InlineData("1:2:3:4:5:6:7::")]
    [InlineData("::2:3:4:5:6:7:8")]
    [InlineData("0001::")]
    [InlineData("::ffff:1.2.3.4")]
    [InlineData("::1.2.3.4")]
    [InlineData("1:2:3:4:5:6:1.2.3.4")]
    [InlineData("1:2:3:4:5::1.2.3.4")]
    [InlineData("::ffff:0:1.2.3.4")]
    [InlineData("fe80::5efe:1.2.3.4")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("A:B::C")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData(":1::")]
    [InlineData("1:::2")]
    [InlineData(":::")]
    [InlineData("12345::")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("1:2:3:4:5:6::1.2.3.4")]
    [InlineData("::1.2.3")]
    [InlineData("::256.1.1.1")]
    [InlineData("1.2.3.4::")]
    [InlineData("::1.2.3.4:1")]
    [InlineData("1:2:")]
    [InlineData("::1a.2.3.4")]
    public void Accepts_and_rejects_what_IPAddress_does(string text)
    {
        var expectedValid = IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

        var valid = IndicatorNormalizer.TryNormalize(new RawIndicator(text, IndicatorType.Ip), out var indicator, out _);

        Assert.Equal(expectedValid, valid);
        if (valid)
        {
            Assert.Equal(address!.ToString(), indicator.Value);
        }
    }

    private static ushort[] RandomWords(Random random)
    {
        // Zero runs and the prefixes that switch .NET to a dotted IPv4 tail are what make formatting tricky, so
        // they are drawn far more often than uniform random words would give them.
        var words = new ushort[8];
        for (var w = 0; w < 8; w++)
        {
            words[w] = random.Next(6) switch
            {
                0 or 1 or 2 => 0,
                3 => (ushort)random.Next(1, 16),
                _ => (ushort)random.Next(0x10000),
            };
        }

        switch (random.Next(8))
        {
            case 0:
                words.AsSpan(0, 5).Clear();
                words[5] = 0xFFFF;
                break;
            case 1:
                words.AsSpan(0, 6).Clear();
                break;
            case 2:
                words.AsSpan(0, 4).Clear();
                words[4] = 0xFFFF;
                words[5] = 0;
                break;
            case 3:
                words[4] = 0;
                words[5] = 0x5EFE;
                break;
        }

        return words;
    }
}
