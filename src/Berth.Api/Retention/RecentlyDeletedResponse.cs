namespace Berth.Api;

/// <summary>
/// What a registry's recovery bin holds: deleted tags and manifests still restorable, and the bytes of the blobs only
/// those deleted manifests use, which count against the allocation until the recovery window has passed.
/// </summary>
public sealed record RecentlyDeletedResponse(int Tags, int Manifests, long Bytes);
