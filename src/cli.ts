/**
 * `tongban <command>`. Verification of licences runs offline and alone, so it starts fast
 * and needs no configuration; every other command loads the platform.
 */
const argv = process.argv.slice(2);
if (argv[0] === 'verify') {
  const { verifyCommand } = await import('./cli-verify.ts');
  process.exitCode = await verifyCommand(argv.slice(1));
} else {
  await import('./cli-platform.ts');
}
