using System.Net;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// What a load balancer sees when a dependency goes away: <c>/readyz</c> turns 503 (take the node out of rotation)
/// while <c>/healthz</c> stays 200 (the process is fine: don't restart it).
/// </summary>
public sealed class ReadinessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadinessFollowsTheObjectStoreAndLivenessDoesNot()
    {
        var s3 = new S3Server();
        await s3.InitializeAsync();
        var bucket = await s3.CreateBucketAsync();
        await using var node = await BerthProcess.StartAsync(extraEnvironment: s3.BerthEnvironment(bucket));
        using var http = new HttpClient { BaseAddress = node.BaseUrl, Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        // The object store goes down.
        await s3.DisposeAsync();
        Assert.True(await LifecycleSupport.EventuallyStatusAsync(http, "/readyz", HttpStatusCode.ServiceUnavailable, Limit), "readyz stayed ready without the object store" + Tail(node));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    private static string Tail(BerthProcess node) => "\n--- server ---\n" + node.OutputTail();
}
