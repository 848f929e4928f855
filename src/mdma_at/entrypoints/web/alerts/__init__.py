"""The live alert badge and lists."""
