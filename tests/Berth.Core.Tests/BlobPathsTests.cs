using Berth.Core.Distribution;
using Berth.Core.Storage;

namespace Berth.Core.Tests;

public sealed class BlobPathsTests
{
    private static readonly Digest Layer = Digest.Parse("sha256:" + new string('a', 62) + "0b");

    [Fact]
    public void ParseReadsBackTheBlobAndUploadPathsItBuilds()
    {
        Assert.Equal(new StoredPath("r1", StoredPathKind.Blob, Layer, null), BlobPaths.Parse(BlobPaths.Blob("r1", Layer)));
        Assert.Equal(new StoredPath("r1", StoredPathKind.Upload, null, "u1"), BlobPaths.Parse(BlobPaths.Upload("r1", "u1")));
    }

    [Theory]
    [InlineData("health/probe")]
    [InlineData("registries/r1")]
    [InlineData("registries/r1/uploads/u1/other")]
    [InlineData("registries/r1/uploads/U1/data")]
    [InlineData("registries/R1/uploads/u1/data")]
    [InlineData("registries/r1/blobs/sha256/zz/zz/data")]
    [InlineData("registries/r1/blobs/sha256/bb/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0b/data")]
    [InlineData("registries/r1/blobs/sha256/aa/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0b/data/x")]
    [InlineData("other/r1/uploads/u1/data")]
    public void ParseIgnoresPathsItWouldNotBuild(string path) => Assert.Null(BlobPaths.Parse(path));
}
