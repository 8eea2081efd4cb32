# The demo image's Dockerfile, with its classic mistakes.
FROM debian:bookworm-slim

RUN apt-get update
RUN apt-get install -y curl
RUN apt-get install -y \
        python3.11 \
        python3-pip

ENV APP_ENV=production
WORKDIR /app
COPY . /app
RUN pip install -r requirements.txt
RUN rm -rf /app/tmp
RUN chmod -R 755 /app

USER root
CMD python3 /app/main.py
