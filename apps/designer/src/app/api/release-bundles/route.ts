import { guarded } from "../../../lib/auth/guard";
import { dataDir } from "../../../lib/data-dir";
import { BundleError, listReleaseBundles, saveReleaseBundle } from "../../../lib/fleet/release-bundles";
import { json, problem } from "../../../lib/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A release bundle is ~10 MB; as on the supervisor, room to grow. */
const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;

export const GET = guarded({ role: "viewer" }, async () => json({ bundles: listReleaseBundles(dataDir()) }));

/**
 * Uploads a signed supervisor release bundle once, for release rollouts (admin: it becomes what every
 * supervisor of a group runs). Body: the .tar.gz as application/octet-stream; header x-bms-signature: the
 * .sig file's base64. Answers the bundle's id (sha256) and version.
 */
export const POST = guarded(
  { role: "admin", audit: "release_bundle.upload" },
  async (request: Request, _context, auth) => {
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > MAX_BUNDLE_BYTES) return problem(413, `a bundle is at most ${MAX_BUNDLE_BYTES} bytes`);
    const bytes = Buffer.from(await request.arrayBuffer());
    if (bytes.length > MAX_BUNDLE_BYTES) return problem(413, `a bundle is at most ${MAX_BUNDLE_BYTES} bytes`);
    const signature = request.headers.get("x-bms-signature") ?? "";
    try {
      const bundle = await saveReleaseBundle(dataDir(), bytes, signature, auth.session!.user.name);
      auth.note({ target: bundle.version, details: { bundle: bundle.id, size: bundle.size } });
      return json({ bundle }, 201);
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      return problem(422, error.message, [
        { path: error.code === "bad_signature" ? "x-bms-signature" : "(body)", message: error.message },
      ]);
    }
  },
);
