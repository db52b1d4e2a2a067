# The image compose.yaml runs as `app` and `worker`: Ombuds with its front-end packages.
FROM node:22-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY --from=frontend /app/node_modules ./node_modules
# editable, so the app finds htmx and Swagger UI in /app/node_modules beside its source
RUN pip install --no-cache-dir -e . && useradd --system --home-dir /var/lib/ombuds ombuds \
    && mkdir -p /var/lib/ombuds && chown ombuds /var/lib/ombuds
USER ombuds
EXPOSE 8000
CMD ["ombuds", "serve", "--host", "0.0.0.0", "--port", "8000"]
