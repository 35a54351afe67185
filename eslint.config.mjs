import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "scripts/**",
      "dist/**",
      "node_modules/**",
      "**/node_modules/**",
      "test/fixtures/**/*.js",
      "bin/**",
      ".engine/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
);
