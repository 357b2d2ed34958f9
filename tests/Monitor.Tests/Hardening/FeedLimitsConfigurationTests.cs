using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitor.Cli;
using Monitor.Core.Feeds;

namespace Monitor.Tests.Hardening;

/// <summary>The input limits come from configuration (section Feeds, app settings Feeds__*), and a nonsensical one is refused with its name.</summary>
public sealed class FeedLimitsConfigurationTests
{
    [Fact]
    public void Limits_are_read_from_the_feeds_section()
    {
        using var services = LocalHost.CreateServices(new Dictionary<string, string?>
        {
            ["Feeds:MaxFeedBytes"] = "1048576",
            ["Feeds:MaxRecordBytes"] = "4096",
            ["Feeds:MaxFieldLength"] = "100",
            ["Feeds:MaxJsonDepth"] = "8",
            ["Feeds:MaxGzipRatio"] = "50",
            ["Feeds:MaxIndicatorsPerRecord"] = "10",
        });

        var limits = services.GetRequiredService<IOptions<FeedLimits>>().Value;

        Assert.Equal((1048576L, 4096, 100, 8, 50, 10), (limits.MaxFeedBytes, limits.MaxRecordBytes, limits.MaxFieldLength, limits.MaxJsonDepth, limits.MaxGzipRatio, limits.MaxIndicatorsPerRecord));
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var limits = new FeedLimits();

        Assert.Equal((4L << 30, 1 << 20, 64 * 1024, 64, 200, 1000), (limits.MaxFeedBytes, limits.MaxRecordBytes, limits.MaxFieldLength, limits.MaxJsonDepth, limits.MaxGzipRatio, limits.MaxIndicatorsPerRecord));
    }

    [Theory]
    [InlineData("MaxFeedBytes", "0")]
    [InlineData("MaxRecordBytes", "10")]
    [InlineData("MaxJsonDepth", "0")]
    [InlineData("MaxGzipRatio", "-1")]
    [InlineData("MaxIndicatorsPerRecord", "0")]
    public void A_limit_out_of_range_is_refused_with_its_name(string name, string value)
    {
        using var services = LocalHost.CreateServices(new Dictionary<string, string?> { [$"Feeds:{name}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<FeedLimits>>().Value);

        Assert.Contains(name, error.Message);
    }
}
