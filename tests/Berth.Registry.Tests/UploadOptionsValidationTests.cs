using Berth.Registry.Hosting;
using Microsoft.Extensions.Options;

namespace Berth.Registry.Tests;

/// <summary><c>Berth:Uploads:MaxSessionsPerRegistry</c> below 1 stops the server at start (options are validated on start).</summary>
public sealed class UploadOptionsValidationTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(-5, false)]
    [InlineData(1, true)]
    [InlineData(1000, true)]
    public void MaxSessionsPerRegistryMustBeAtLeastOne(int value, bool valid)
    {
        var result = new DataAnnotationValidateOptions<BerthOptions>(null).Validate(null, new BerthOptions { Uploads = { MaxSessionsPerRegistry = value } });
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("MaxSessionsPerRegistry", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
