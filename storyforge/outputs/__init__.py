"""What a build hands over in OUT: image files, the manifest, the contact sheet.

Results (`outputs.results.StepResult`, what building a step came to) live here, beside
the files drawn from them, because every output reads them and the build, one floor up,
produces them. Entry points: `outputs.files.write_outputs`,
`outputs.manifest.write_manifest`, `outputs.sheet.write_contact_sheet`.
"""
